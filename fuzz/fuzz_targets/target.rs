//! `cargo xtask fuzz` target `target`: see `fuzz/targets.rs`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| waymark_fuzz::target(data));
