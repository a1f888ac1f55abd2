//! `cargo xtask fuzz` target `search`: see `fuzz/targets.rs`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| waymark_fuzz::search(data));
