//! The index layout (see the module docs of `search`): magic, format version,
//! field numbers, posting codes, quantised field lengths, varints, the stored
//! record. Both directions read these constants, so they live once.

use super::*;

pub const FORMAT_VERSION: u16 = 1;

pub(super) const MAGIC: &[u8; 4] = b"WMSI";

pub(super) const FIELDS: usize = 4;

pub(super) const TITLE: usize = 0;

pub(super) const TAGS: usize = 1;

pub(super) const SYNONYMS: usize = 2;

pub(super) const BODY: usize = 3;

pub(super) const DF_BITS: u32 = 20;

pub(super) const MAX_TERM_CHARS: usize = 40;

/// The commonest per-field term frequencies get a two-bit code of their own
/// in a posting; anything else spells out its fields.
pub(super) const BODY_ONE: [u8; FIELDS] = [0, 0, 0, 1];

pub(super) const TITLE_BODY_ONE: [u8; FIELDS] = [1, 0, 0, 1];

pub(super) const TITLE_ONE: [u8; FIELDS] = [1, 0, 0, 0];

/// How a `StoredDoc` is kept: kind and moment as indexes into small tables
/// of distinct values (a few bytes saved per document add up at 60,000).
#[derive(Serialize, Deserialize)]
pub(super) struct StoredRecord {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) kind: u8,
    /// 0 for none, else index + 1.
    pub(super) moment: u8,
    pub(super) applies_to: Vec<String>,
}

/// Field length in one byte: exact up to 16, then about 9% steps.
pub(super) fn quantise(len: usize) -> u8 {
    if len <= 16 {
        len as u8
    } else {
        (16.0 + 11.0 * ((len as f64) / 16.0).log2())
            .round()
            .min(255.0) as u8
    }
}

pub(super) fn dequantise(q: u8) -> f32 {
    if q <= 16 {
        f32::from(q)
    } else {
        16.0 * 2f32.powf((f32::from(q) - 16.0) / 11.0)
    }
}

pub(super) fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(super) fn read_varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

pub(super) fn df_of(v: u64) -> u32 {
    (v & ((1 << DF_BITS) - 1)) as u32
}
