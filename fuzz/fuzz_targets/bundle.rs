//! `cargo xtask fuzz` target `bundle`: see `fuzz/targets.rs`.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| waymark_fuzz::bundle_bytes(data));
