//! `cargo xtask fuzz` target `compile`: see `fuzz/targets.rs`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| waymark_fuzz::compile(data));
