//! `cargo xtask fuzz` target `urls`: see `fuzz/targets.rs`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| waymark_fuzz::urls(data));
