//! The small rich-text tree that author Markdown compiles into at build time.
//!
//! The browser only ever renders this tree node by node; nothing author-written
//! is parsed as HTML there (SPEC §3). This module owns the tree and, with the
//! `markdown` feature (part of `authoring`), its compilation from Markdown. Compilation refuses raw
//! HTML and links with schemes other than `https:`, `mailto:` or app-relative.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RichText(pub Vec<Block>);

// Every field through which the tree nests is read with `nested`, which
// bounds the depth of a tree being decoded: bundle bytes are data from the
// network, and an unbounded `Quote(Quote(Quote(...)))` would overflow the
// decoder's stack (found by the security review; tested below).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    Paragraph(#[serde(deserialize_with = "nested")] Vec<Inline>),
    Heading(u8, #[serde(deserialize_with = "nested")] Vec<Inline>),
    List {
        ordered: bool,
        #[serde(deserialize_with = "nested")]
        items: Vec<Vec<Block>>,
    },
    Code(String),
    Quote(#[serde(deserialize_with = "nested")] Vec<Block>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Inline {
    Text(String),
    Strong(#[serde(deserialize_with = "nested")] Vec<Inline>),
    Emphasis(#[serde(deserialize_with = "nested")] Vec<Inline>),
    Code(String),
    Link {
        href: String,
        #[serde(deserialize_with = "nested")]
        children: Vec<Inline>,
    },
    Break,
    /// An image from an allow-listed host; `alt` is its text alternative.
    Image {
        src: String,
        alt: String,
    },
    /// A video (`![title](https://host/clip.mp4)`), from an allow-listed host.
    Video {
        src: String,
        title: String,
    },
    /// A box the reader ticks (`- [ ] ...`, a job aid): the n-th in its
    /// text, counted from 0; what is ticked is the reader's, kept per user.
    Task(u32),
}

/// Deepest tree a decoder accepts. The compiler refuses Markdown nested more
/// than 16 levels, which is at most this many tree levels.
pub const MAX_DECODE_DEPTH: usize = 40;

std::thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn nested<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let depth = DEPTH.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let out = if depth > MAX_DECODE_DEPTH {
        Err(serde::de::Error::custom(format!(
            "rich text nested deeper than {MAX_DECODE_DEPTH} levels"
        )))
    } else {
        Vec::<T>::deserialize(d)
    };
    DEPTH.with(|c| c.set(c.get().saturating_sub(1)));
    out
}

impl RichText {
    /// The plain text, for search snippets and accessibility labels.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for b in &self.0 {
            block_text(b, &mut out);
        }
        out.trim_end().to_string()
    }

    /// How many boxes to tick (`Inline::Task`) the text has.
    pub fn tasks(&self) -> usize {
        fn blocks(bs: &[Block]) -> usize {
            bs.iter()
                .map(|b| match b {
                    Block::Paragraph(i) | Block::Heading(_, i) => inlines(i),
                    Block::List { items, .. } => items.iter().map(|i| blocks(i)).sum(),
                    Block::Quote(bs) => blocks(bs),
                    Block::Code(_) => 0,
                })
                .sum()
        }
        fn inlines(is: &[Inline]) -> usize {
            is.iter()
                .map(|i| match i {
                    Inline::Task(_) => 1,
                    Inline::Strong(c) | Inline::Emphasis(c) | Inline::Link { children: c, .. } => {
                        inlines(c)
                    }
                    _ => 0,
                })
                .sum()
        }
        blocks(&self.0)
    }
}

fn block_text(b: &Block, out: &mut String) {
    match b {
        Block::Paragraph(i) | Block::Heading(_, i) => {
            inlines_text(i, out);
            out.push('\n');
        }
        Block::List { items, .. } => {
            for item in items {
                for b in item {
                    block_text(b, out);
                }
            }
        }
        Block::Code(c) => {
            out.push_str(c);
            out.push('\n');
        }
        Block::Quote(bs) => bs.iter().for_each(|b| block_text(b, out)),
    }
}

fn inlines_text(is: &[Inline], out: &mut String) {
    for i in is {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Strong(c) | Inline::Emphasis(c) | Inline::Link { children: c, .. } => {
                inlines_text(c, out)
            }
            Inline::Break => out.push(' '),
            Inline::Task(_) => {}
            Inline::Image { alt: t, .. } | Inline::Video { title: t, .. } => out.push_str(t),
        }
    }
}

/// Is `src` an `https:` URL on one of `hosts` (exact, or `*.example.com`
/// for any subdomain)? Media loads from the network, so only hosts the
/// content owner vouches for may serve it.
pub fn allowed_media(src: &str, hosts: &[String]) -> bool {
    let Some(rest) = src.trim().strip_prefix("https://") else {
        return false;
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if host.is_empty() || host.contains('@') {
        return false;
    }
    hosts.iter().any(|h| {
        let h = h.trim().to_ascii_lowercase();
        match h.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => host == h,
        }
    })
}

impl RichText {
    /// This text with every image and video not on `hosts` (see
    /// [`allowed_media`]) reduced to its text alternative: the overlay shows
    /// an empty-`src` image as its `alt` and loads nothing. The compiler
    /// already refuses other hosts; this holds even for a bundle written by
    /// something else, and for translations.
    pub fn media_only_from(mut self, hosts: &[String]) -> RichText {
        fn inlines(is: &mut [Inline], hosts: &[String]) {
            for i in is {
                match i {
                    Inline::Strong(c) | Inline::Emphasis(c) | Inline::Link { children: c, .. } => {
                        inlines(c, hosts)
                    }
                    Inline::Image { src, .. } | Inline::Video { src, .. } => {
                        if !allowed_media(src, hosts) {
                            src.clear();
                        }
                    }
                    Inline::Text(_) | Inline::Code(_) | Inline::Break | Inline::Task(_) => {}
                }
            }
        }
        fn blocks(bs: &mut [Block], hosts: &[String]) {
            for b in bs {
                match b {
                    Block::Paragraph(is) | Block::Heading(_, is) => inlines(is, hosts),
                    Block::List { items, .. } => {
                        for item in items {
                            blocks(item, hosts);
                        }
                    }
                    Block::Quote(bs) => blocks(bs, hosts),
                    Block::Code(_) => {}
                }
            }
        }
        blocks(&mut self.0, hosts);
        self
    }
}

/// Is `href` a link an author may use? `https:`, `mailto:` or app-relative (`/path`).
pub fn allowed_href(href: &str) -> bool {
    let lower = href.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("mailto:")
        || (lower.starts_with('/') && !lower.starts_with("//"))
}

#[cfg(feature = "markdown")]
pub use markdown::{compile_markdown, compile_markdown_with, MarkdownError};

#[cfg(feature = "markdown")]
mod markdown {
    use super::*;
    use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

    /// What was wrong in the Markdown, with the byte offset inside the source.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct MarkdownError {
        pub offset: usize,
        pub message: String,
        pub hint: String,
    }

    /// Deepest nesting we accept: deeper trees are almost certainly a mistake,
    /// and unbounded depth would let one file blow the renderer's stack.
    const MAX_DEPTH: usize = 16;

    enum Frame {
        Blocks(Vec<Block>),
        Para(Vec<Inline>),
        Heading(u8, Vec<Inline>),
        List(bool, Vec<Vec<Block>>),
        Item(Vec<Block>, Vec<Inline>),
        Quote(Vec<Block>),
        Strong(Vec<Inline>),
        Emph(Vec<Inline>),
        Link(String, Vec<Inline>),
        Code(String),
        /// src, is it a video, alt text gathered from the children.
        Media(String, bool, Vec<Inline>),
    }

    /// Compiles Markdown with no media allowed (images are an error).
    pub fn compile_markdown(src: &str) -> Result<RichText, MarkdownError> {
        compile_markdown_with(src, &[])
    }

    /// Compiles Markdown; images and videos may come from `media_hosts`.
    pub fn compile_markdown_with(
        src: &str,
        media_hosts: &[String],
    ) -> Result<RichText, MarkdownError> {
        let mut stack: Vec<Frame> = vec![Frame::Blocks(Vec::new())];
        let mut tasks = 0u32;
        let parser = Parser::new_ext(src, pulldown_cmark::Options::ENABLE_TASKLISTS);
        for (ev, range) in parser.into_offset_iter() {
            let err = |message: String, hint: &str| MarkdownError {
                offset: range.start,
                message,
                hint: hint.to_string(),
            };
            match ev {
                Event::Start(tag) => {
                    if stack.len() > MAX_DEPTH {
                        return Err(err(
                            format!("Markdown nested more than {MAX_DEPTH} levels deep"),
                            "flatten the lists or quotes",
                        ));
                    }
                    let frame = match tag {
                        Tag::Paragraph => Frame::Para(Vec::new()),
                        Tag::Heading { level, .. } => Frame::Heading(heading(level), Vec::new()),
                        Tag::List(start) => Frame::List(start.is_some(), Vec::new()),
                        Tag::Item => Frame::Item(Vec::new(), Vec::new()),
                        Tag::BlockQuote(_) => Frame::Quote(Vec::new()),
                        Tag::CodeBlock(kind) => {
                            let _ = matches!(kind, CodeBlockKind::Fenced(_));
                            Frame::Code(String::new())
                        }
                        Tag::Strong => Frame::Strong(Vec::new()),
                        Tag::Emphasis => Frame::Emph(Vec::new()),
                        Tag::Link { dest_url, .. } => {
                            if !allowed_href(&dest_url) {
                                return Err(err(
                                    format!("link target `{dest_url}` is not allowed"),
                                    "use an https: or mailto: link, or an app-relative path starting with /",
                                ));
                            }
                            Frame::Link(dest_url.to_string(), Vec::new())
                        }
                        Tag::Image { dest_url, .. } => {
                            if !allowed_media(&dest_url, media_hosts) {
                                let allowed = if media_hosts.is_empty() {
                                    "none are allowed yet".to_string()
                                } else {
                                    media_hosts.join(", ")
                                };
                                return Err(err(
                                    format!("media `{dest_url}` is not from an allowed host ({allowed})"),
                                    "use an https: URL on a host listed under [media] allow in waymark.toml",
                                ));
                            }
                            let lower = dest_url.to_ascii_lowercase();
                            let path = lower.split(['?', '#']).next().unwrap_or("");
                            let video = [".mp4", ".webm", ".ogv", ".mov"]
                                .iter()
                                .any(|e| path.ends_with(e));
                            Frame::Media(dest_url.to_string(), video, Vec::new())
                        }
                        Tag::HtmlBlock => {
                            return Err(err(
                                "raw HTML is not allowed in content".into(),
                                "write it in Markdown; Waymark never renders author HTML",
                            ))
                        }
                        other => {
                            return Err(err(
                                format!("unsupported Markdown element {other:?}"),
                                "use paragraphs, headings, lists, emphasis, code, links and quotes",
                            ))
                        }
                    };
                    stack.push(frame);
                }
                Event::End(end) => {
                    let Some(frame) = stack.pop() else { break };
                    let done = close(frame, end);
                    push_done(&mut stack, done);
                }
                Event::Text(t) => match stack.last_mut() {
                    Some(Frame::Code(c)) => c.push_str(&t),
                    _ => push_inline(&mut stack, Inline::Text(t.to_string())),
                },
                Event::Code(t) => push_inline(&mut stack, Inline::Code(t.to_string())),
                Event::SoftBreak => push_inline(&mut stack, Inline::Text(" ".into())),
                Event::HardBreak => push_inline(&mut stack, Inline::Break),
                Event::Html(_) | Event::InlineHtml(_) => {
                    return Err(err(
                        "raw HTML is not allowed in content".into(),
                        "write it in Markdown; Waymark never renders author HTML",
                    ))
                }
                Event::Rule => {}
                // `[x]` is ticked by the reader, not the author: every
                // box starts empty.
                Event::TaskListMarker(_) => {
                    push_inline(&mut stack, Inline::Task(tasks));
                    tasks += 1;
                }
                other => {
                    return Err(err(
                        format!("unsupported Markdown element {other:?}"),
                        "use paragraphs, headings, lists, emphasis, code, links and quotes",
                    ))
                }
            }
        }
        match stack.pop() {
            Some(Frame::Blocks(b)) if stack.is_empty() => Ok(RichText(b)),
            _ => Err(MarkdownError {
                offset: src.len(),
                message: "unbalanced Markdown".into(),
                hint: "check emphasis markers and lists".into(),
            }),
        }
    }

    fn heading(level: HeadingLevel) -> u8 {
        match level {
            HeadingLevel::H1 => 1,
            HeadingLevel::H2 => 2,
            HeadingLevel::H3 => 3,
            HeadingLevel::H4 => 4,
            HeadingLevel::H5 => 5,
            HeadingLevel::H6 => 6,
        }
    }

    enum Done {
        Block(Block),
        Inline(Inline),
        Item(Vec<Block>),
        Nothing,
    }

    fn close(frame: Frame, _end: TagEnd) -> Done {
        match frame {
            Frame::Para(i) => Done::Block(Block::Paragraph(i)),
            Frame::Heading(l, i) => Done::Block(Block::Heading(l, i)),
            Frame::List(o, items) => Done::Block(Block::List { ordered: o, items }),
            Frame::Item(mut blocks, loose) => {
                // Tight list items carry inline text directly.
                if !loose.is_empty() {
                    blocks.insert(0, Block::Paragraph(loose));
                }
                Done::Item(blocks)
            }
            Frame::Quote(b) => Done::Block(Block::Quote(b)),
            Frame::Code(c) => Done::Block(Block::Code(c)),
            Frame::Strong(i) => Done::Inline(Inline::Strong(i)),
            Frame::Emph(i) => Done::Inline(Inline::Emphasis(i)),
            Frame::Link(href, children) => Done::Inline(Inline::Link { href, children }),
            Frame::Media(src, video, children) => {
                let text = RichText(vec![Block::Paragraph(children)]).plain_text();
                Done::Inline(if video {
                    Inline::Video { src, title: text }
                } else {
                    Inline::Image { src, alt: text }
                })
            }
            Frame::Blocks(_) => Done::Nothing,
        }
    }

    fn push_done(stack: &mut [Frame], done: Done) {
        match done {
            Done::Block(b) => match stack.last_mut() {
                Some(Frame::Blocks(v)) | Some(Frame::Quote(v)) | Some(Frame::Item(v, _)) => {
                    v.push(b)
                }
                _ => {}
            },
            Done::Inline(i) => push_inline(stack, i),
            Done::Item(item) => {
                if let Some(Frame::List(_, items)) = stack.last_mut() {
                    items.push(item)
                }
            }
            Done::Nothing => {}
        }
    }

    fn push_inline(stack: &mut [Frame], i: Inline) {
        match stack.last_mut() {
            Some(Frame::Para(v))
            | Some(Frame::Heading(_, v))
            | Some(Frame::Strong(v))
            | Some(Frame::Emph(v))
            | Some(Frame::Link(_, v))
            | Some(Frame::Media(_, _, v))
            | Some(Frame::Item(_, v)) => {
                // Merge adjacent text so soft breaks do not fragment the tree.
                if let (Some(Inline::Text(prev)), Inline::Text(t)) = (v.last_mut(), &i) {
                    prev.push_str(t);
                } else {
                    v.push(i)
                }
            }
            _ => {}
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn compiles_common_markdown() {
            let t = compile_markdown("Click **New deal**, then *wait*.\n\n- one\n- `two`").unwrap();
            assert_eq!(
                t.0[0],
                Block::Paragraph(vec![
                    Inline::Text("Click ".into()),
                    Inline::Strong(vec![Inline::Text("New deal".into())]),
                    Inline::Text(", then ".into()),
                    Inline::Emphasis(vec![Inline::Text("wait".into())]),
                    Inline::Text(".".into()),
                ])
            );
            assert_eq!(
                t.0[1],
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![Block::Paragraph(vec![Inline::Text("one".into())])],
                        vec![Block::Paragraph(vec![Inline::Code("two".into())])],
                    ]
                }
            );
            assert_eq!(t.plain_text(), "Click New deal, then wait.\none\ntwo");
        }

        #[test]
        fn refuses_html_and_bad_links() {
            let e = compile_markdown("hi <b>x</b>").unwrap_err();
            assert!(e.message.contains("raw HTML"), "{e:?}");
            assert_eq!(e.offset, 3);
            assert!(compile_markdown("<div>\nx\n</div>").is_err());
            let e = compile_markdown("[x](javascript:alert(1))").unwrap_err();
            assert!(e.message.contains("javascript:alert(1)"));
            assert!(
                compile_markdown("[x](https://acme.example/help) [y](/crm) [z](mailto:a@b)")
                    .is_ok()
            );
            assert!(compile_markdown("[x](//evil.example)").is_err());
        }

        #[test]
        fn media_only_from_allowed_hosts() {
            let hosts = vec![
                "media.acme.example".to_string(),
                "*.cdn.example".to_string(),
            ];
            let t = compile_markdown_with(
                "![The form](https://media.acme.example/form.png) ![Demo](https://a.cdn.example/v.mp4?x=1)",
                &hosts,
            )
            .unwrap();
            let Block::Paragraph(i) = &t.0[0] else {
                panic!()
            };
            assert_eq!(
                i[0],
                Inline::Image {
                    src: "https://media.acme.example/form.png".into(),
                    alt: "The form".into()
                }
            );
            assert!(matches!(&i[2], Inline::Video { title, .. } if title == "Demo"));
            for bad in [
                "![x](https://evil.example/a.png)",
                "![x](http://media.acme.example/a.png)",
                "![x](https://media.acme.example@evil.example/a.png)",
                "![x](/local.png)",
                "![x](https://cdn.example.evil/a.png)",
            ] {
                let e = compile_markdown_with(bad, &hosts).unwrap_err();
                assert!(
                    e.message.contains("not from an allowed host"),
                    "{bad}: {e:?}"
                );
            }
            assert!(compile_markdown("![x](https://media.acme.example/a.png)").is_err());
        }

        #[test]
        fn refuses_deep_nesting_without_overflowing() {
            let deep = "> ".repeat(5000) + "x";
            assert!(compile_markdown(&deep).is_err());
        }
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    /// postcard bytes of `RichText([Quote([Quote([... Paragraph([]) ...])])])`
    /// nested `n` deep, written by hand (serialising such a tree would
    /// itself recurse `n` deep).
    fn quotes(n: usize) -> Vec<u8> {
        let mut b = vec![1]; // one top-level block
        for _ in 0..n {
            b.extend([4, 1]); // Block::Quote, a vec of one block
        }
        b.extend([0, 0]); // Block::Paragraph, empty
        b
    }

    #[test]
    fn decoding_bounds_the_depth_instead_of_overflowing_the_stack() {
        let ok: RichText = postcard::from_bytes(&quotes(MAX_DECODE_DEPTH - 1)).unwrap();
        assert_eq!(ok.0.len(), 1);
        assert!(postcard::from_bytes::<RichText>(&quotes(MAX_DECODE_DEPTH + 1)).is_err());
        // Deep enough to overflow any stack if unbounded: refused, and the
        // guard is back at zero for the next decode.
        assert!(postcard::from_bytes::<RichText>(&quotes(1_000_000)).is_err());
        assert!(postcard::from_bytes::<RichText>(&quotes(3)).is_ok());
    }
}

#[cfg(test)]
mod media_tests {
    use super::*;

    fn image(src: &str) -> Inline {
        Inline::Image {
            src: src.into(),
            alt: "the form".into(),
        }
    }

    #[test]
    fn media_from_other_hosts_is_reduced_to_its_text_wherever_it_sits() {
        let hosts = vec![
            "media.acme.example".to_string(),
            "*.cdn.acme.example".to_string(),
        ];
        let text = RichText(vec![
            Block::Paragraph(vec![
                image("https://media.acme.example/a.png"),
                image("https://eu.cdn.acme.example/b.png"),
                image("https://tracker.example/pixel.gif"),
                image("https://media.acme.example@tracker.example/c.png"),
            ]),
            Block::Quote(vec![Block::List {
                ordered: false,
                items: vec![vec![Block::Paragraph(vec![Inline::Link {
                    href: "https://help.acme.example".into(),
                    children: vec![Inline::Strong(vec![Inline::Video {
                        src: "https://videos.example/v.mp4".into(),
                        title: "how".into(),
                    }])],
                }])]],
            }]),
        ]);
        let kept = text.media_only_from(&hosts);
        let Block::Paragraph(is) = &kept.0[0] else {
            panic!()
        };
        let srcs: Vec<&str> = is
            .iter()
            .map(|i| match i {
                Inline::Image { src, .. } => src.as_str(),
                _ => "?",
            })
            .collect();
        assert_eq!(
            srcs,
            [
                "https://media.acme.example/a.png",
                "https://eu.cdn.acme.example/b.png",
                "",
                ""
            ]
        );
        let nested = format!("{:?}", kept.0[1]);
        assert!(nested.contains("src: \"\""), "{nested}");
        assert!(!nested.contains("videos.example"), "{nested}");
        // No hosts: nothing loads.
        let none = RichText(vec![Block::Paragraph(vec![image(
            "https://media.acme.example/a.png",
        )])])
        .media_only_from(&[]);
        assert_eq!(none.0[0], Block::Paragraph(vec![image("")]));
    }
}
