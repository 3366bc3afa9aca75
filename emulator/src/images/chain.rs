//! Reading an operation chain (`-/resize/200x/-/format/png/photo.png`) into [`Op`]s: the
//! syntax of each operation the emulator renders, checked like the URL API checks it (a
//! malformed value is a 400), and the names of the valid operations it does not render
//! ([`Op::Skipped`]).
//!
//! The syntax follows the library's URL builder (`uploadcare::cdn::url`, one method per
//! operation) and the URL API reference
//! (<https://uploadcare.com/docs/transformations/image/resize-crop/>,
//! <https://uploadcare.com/docs/compression/>).

use super::RenderError;

/// A length in pixels (`300`) or in percent of the current image (`50p`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Len {
    /// Pixels.
    Px(u32),
    /// Percent, 0–100.
    Percent(u32),
}

impl Len {
    /// The length in pixels on a side of `full` pixels.
    pub(super) fn resolve(self, full: u32) -> u32 {
        match self {
            Len::Px(px) => px,
            Len::Percent(p) => ((u64::from(full) * u64::from(p) + 50) / 100) as u32,
        }
    }
}

/// Where a crop sits in the image: a keyword, or an `x,y` position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Align {
    /// Top left corner (the default of `crop` and `scale_crop`).
    TopLeft,
    /// `center`.
    Center,
    /// `top`: centred horizontally, at the top.
    Top,
    /// `bottom`: centred horizontally, at the bottom.
    Bottom,
    /// `left`: centred vertically, at the left.
    Left,
    /// `right`: centred vertically, at the right.
    Right,
    /// `x,y`: pixels are the crop's top left corner; percents place the crop from the left or
    /// top edge (0 %) to the right or bottom edge (100 %), so `50p,50p` is the centre.
    At(Len, Len),
}

/// `-/stretch/` modes: what `resize` and `scale_crop` do when the image is smaller than the
/// requested size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stretch {
    /// Upscale (the default).
    On,
    /// Keep the size.
    Off,
    /// Keep the size and fill the rest of the requested box.
    Fill,
}

/// Output formats of `-/format/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FormatChoice {
    /// Chosen from the `Accept` header and the alpha channel (also the default).
    Auto,
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    Webp,
    /// The original's format if JPEG or PNG, else PNG or JPEG by alpha.
    Preserve,
}

/// One operation of a chain, as the emulator applies it.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Op {
    /// `preview[/WxH]`: fit inside the box, never upscale.
    Preview(Option<(u32, u32)>),
    /// `resize/WxH|Wx|xH` (and `smart_resize/WxH`, rendered as a plain resize).
    Resize(Option<u32>, Option<u32>),
    /// `scale_crop/WxH[/mode|alignment]`: cover the box, crop the rest.
    ScaleCrop(u32, u32, Align),
    /// `crop/WxH[/alignment]`.
    Crop(Len, Len, Align),
    /// `crop/W:H[/alignment]`: the largest area of that aspect ratio.
    CropRatio(u32, u32, Align),
    /// `stretch/on|off|fill`.
    Stretch(Stretch),
    /// `setfill/<hex>`: the colour of padding and of transparent areas.
    Setfill([u8; 4]),
    /// `autorotate/yes|no`.
    Autorotate(bool),
    /// `rotate/<degrees>`: counterclockwise, normalized to 0, 90, 180 or 270.
    Rotate(u32),
    /// `flip`: upside down.
    Flip,
    /// `mirror`: left to right.
    Mirror,
    /// `grayscale`.
    Grayscale,
    /// `invert`.
    Invert,
    /// `format/<format>`.
    Format(FormatChoice),
    /// `quality/<level>` as a JPEG quality (1–100).
    Quality(u8),
    /// `progressive/yes|no`.
    Progressive(bool),
    /// `json`: the output's JSON info (last in the chain).
    Json,
    /// `main_colors[/N]`: the output's N main colours (last in the chain).
    MainColors(u32),
    /// Operations that change nothing the emulator renders (`strip_meta`: its output
    /// carries no metadata anyway; `inline`: a delivery control).
    Neutral,
    /// A valid operation the emulator does not render (`blur`, `enhance`, overlays, …), by
    /// name (`crop/face` for the face crop).
    Skipped(String),
}

/// One `-/name/args…/` step of the path, split on `/`.
struct Step<'a> {
    name: &'a str,
    args: Vec<&'a str>,
}

/// The steps of `chain` (what follows `<uuid>/`). Segments before the first `-/` (a file
/// name) are ignored; so is the trailing empty segment of a path ending in `/`.
fn steps(chain: &str) -> Vec<Step<'_>> {
    let segments: Vec<&str> = chain.split('/').collect();
    let mut steps: Vec<Step<'_>> = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        if segments[i] == "-" {
            let name = segments.get(i + 1).copied().unwrap_or("");
            steps.push(Step {
                name,
                args: Vec::new(),
            });
            i += 2;
        } else {
            if let Some(step) = steps.last_mut() {
                step.args.push(segments[i]);
            }
            i += 1;
        }
    }
    if let Some(step) = steps.last_mut() {
        if step.args.last() == Some(&"") {
            step.args.pop();
        }
    }
    steps
}

/// The chain's operations, in order. A trailing segment that the last operation does not
/// take is the file name (`-/resize/200x/photo.png`, `-/preview/photo.png`). `Err` is a 400
/// of the CDN: an operation the emulator renders with a value the URL API refuses.
pub(super) fn parse(chain: &str) -> Result<Vec<Op>, RenderError> {
    let steps = steps(chain);
    let mut ops = Vec::with_capacity(steps.len());
    let last = steps.len().saturating_sub(1);
    for (i, step) in steps.iter().enumerate() {
        let op = match op(step.name, &step.args) {
            Ok(op) => op,
            // The last step may end with a file name: try again without it.
            Err(e) if i == last && !step.args.is_empty() => {
                op(step.name, &step.args[..step.args.len() - 1]).map_err(|_| e)?
            }
            Err(e) => return Err(e),
        };
        ops.push(op);
    }
    Ok(ops)
}

fn bad(message: impl Into<String>) -> RenderError {
    RenderError::BadRequest(message.into())
}

/// A pixel count as the URL writes it (`200`); 1 or more.
fn px(text: &str, what: &str) -> Result<u32, RenderError> {
    match text.parse::<u32>() {
        Ok(n) if n > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(bad(format!("{what}: `{text}` is not a size in pixels"))),
    }
}

/// `WxH` with both sides in pixels.
fn two_px(text: &str, what: &str) -> Result<(u32, u32), RenderError> {
    let (w, h) = text
        .split_once('x')
        .ok_or_else(|| bad(format!("{what}: `{text}` is not WIDTHxHEIGHT")))?;
    Ok((px(w, what)?, px(h, what)?))
}

/// A length: `300` or `50p` (0–100 %).
fn len(text: &str, what: &str) -> Result<Len, RenderError> {
    if let Some(p) = text.strip_suffix('p') {
        return match p.parse::<u32>() {
            Ok(p_value) if p_value <= 100 && p.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Len::Percent(p_value))
            }
            _ => Err(bad(format!("{what}: `{text}` is not a percentage (0-100p)"))),
        };
    }
    match text.parse::<u32>() {
        Ok(n) if text.bytes().all(|b| b.is_ascii_digit()) => Ok(Len::Px(n)),
        _ => Err(bad(format!("{what}: `{text}` is not a length"))),
    }
}

/// An alignment keyword or `x,y`.
fn align(text: &str, what: &str) -> Result<Align, RenderError> {
    Ok(match text {
        "center" => Align::Center,
        "top" => Align::Top,
        "bottom" => Align::Bottom,
        "left" => Align::Left,
        "right" => Align::Right,
        _ => {
            let (x, y) = text
                .split_once(',')
                .ok_or_else(|| bad(format!("{what}: `{text}` is not an alignment")))?;
            Align::At(len(x, what)?, len(y, what)?)
        }
    })
}

fn yes_no(args: &[&str], what: &str) -> Result<bool, RenderError> {
    match args {
        ["yes"] => Ok(true),
        ["no"] => Ok(false),
        _ => Err(bad(format!("{what}: expected `yes` or `no`"))),
    }
}

/// `rrggbb`-style colours: 3, 4, 6 or 8 hex digits (the short forms double each digit).
fn color(text: &str) -> Result<[u8; 4], RenderError> {
    let digits: Vec<u8> = text
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()
        .ok_or_else(|| bad(format!("setfill: `{text}` is not a hex colour")))?;
    let channel = |i: usize| match digits.len() {
        3 | 4 => digits.get(i).map(|d| d * 17),
        _ => Some(digits.get(2 * i)? * 16 + digits.get(2 * i + 1)?),
    };
    match digits.len() {
        3 | 6 => Ok([
            channel(0).unwrap_or(0),
            channel(1).unwrap_or(0),
            channel(2).unwrap_or(0),
            255,
        ]),
        4 | 8 => Ok([
            channel(0).unwrap_or(0),
            channel(1).unwrap_or(0),
            channel(2).unwrap_or(0),
            channel(3).unwrap_or(255),
        ]),
        _ => Err(bad(format!("setfill: `{text}` is not 3, 4, 6 or 8 hex digits"))),
    }
}

/// The JPEG quality the emulator uses for each `-/quality/` level. The service publishes no
/// numbers: these are the emulator's own, ordered like the levels.
fn quality(level: &str) -> Result<u8, RenderError> {
    Ok(match level {
        "best" => 95,
        "better" => 90,
        "normal" | "smart" => 80,
        "smart_retina" => 70,
        "lighter" => 65,
        "lightest" => 50,
        _ => return Err(bad(format!("quality: `{level}` is not a quality level"))),
    })
}

/// One operation from its name and arguments.
fn op(name: &str, args: &[&str]) -> Result<Op, RenderError> {
    Ok(match (name, args) {
        ("preview", []) => Op::Preview(None),
        ("preview", [size]) => Op::Preview(Some(two_px(size, "preview")?)),
        ("resize", [size]) => {
            let (w, h) = size
                .split_once('x')
                .ok_or_else(|| bad(format!("resize: `{size}` is not WxH, Wx or xH")))?;
            match (w, h) {
                ("", "") => return Err(bad("resize: give a width, a height or both")),
                ("", h) => Op::Resize(None, Some(px(h, "resize")?)),
                (w, "") => Op::Resize(Some(px(w, "resize")?), None),
                (w, h) => Op::Resize(Some(px(w, "resize")?), Some(px(h, "resize")?)),
            }
        }
        ("smart_resize", [size]) => {
            let (w, h) = two_px(size, "smart_resize")?;
            Op::Resize(Some(w), Some(h))
        }
        ("scale_crop", [size, rest @ ..]) if rest.len() <= 2 => {
            let (w, h) = two_px(size, "scale_crop")?;
            // `smart…` modes (content-aware) are rendered centred; a mode may be followed
            // by an alignment, which then wins.
            let mut alignment = Align::TopLeft;
            for arg in rest {
                alignment = if arg.starts_with("smart") {
                    Align::Center
                } else {
                    align(arg, "scale_crop")?
                };
            }
            Op::ScaleCrop(w, h, alignment)
        }
        ("crop", [size, rest @ ..]) if rest.len() <= 1 => {
            let alignment = match rest.first() {
                Some(a) => align(a, "crop")?,
                None => Align::TopLeft,
            };
            if let Some((w, h)) = size.split_once(':') {
                Op::CropRatio(px(w, "crop")?, px(h, "crop")?, alignment)
            } else if *size == "face" {
                Op::Skipped(format!("crop/{size}"))
            } else {
                let (w, h) = size
                    .split_once('x')
                    .ok_or_else(|| bad(format!("crop: `{size}` is not WIDTHxHEIGHT")))?;
                let (w, h) = (len(w, "crop")?, len(h, "crop")?);
                if w == Len::Px(0) || h == Len::Px(0) || w == Len::Percent(0) || h == Len::Percent(0) {
                    return Err(bad("crop: each side must be at least 1 px"));
                }
                Op::Crop(w, h, alignment)
            }
        }
        ("stretch", [mode]) => Op::Stretch(match *mode {
            "on" => Stretch::On,
            "off" => Stretch::Off,
            "fill" => Stretch::Fill,
            _ => return Err(bad(format!("stretch: `{mode}` is not on, off or fill"))),
        }),
        ("setfill", [hex]) => Op::Setfill(color(hex)?),
        ("autorotate", _) => Op::Autorotate(yes_no(args, "autorotate")?),
        ("rotate", [angle]) => match angle.parse::<i64>() {
            Ok(a) if a % 90 == 0 => Op::Rotate(a.rem_euclid(360) as u32),
            _ => return Err(bad(format!("rotate: `{angle}` is not a multiple of 90"))),
        },
        ("flip", []) => Op::Flip,
        ("mirror", []) => Op::Mirror,
        ("grayscale", []) => Op::Grayscale,
        ("invert", []) => Op::Invert,
        ("format", [format]) => Op::Format(match *format {
            "auto" => FormatChoice::Auto,
            "jpeg" => FormatChoice::Jpeg,
            "png" => FormatChoice::Png,
            "webp" => FormatChoice::Webp,
            "preserve" => FormatChoice::Preserve,
            _ => return Err(bad(format!("format: `{format}` is not a format"))),
        }),
        ("quality", [level]) => Op::Quality(quality(level)?),
        ("progressive", _) => Op::Progressive(yes_no(args, "progressive")?),
        ("json", []) => Op::Json,
        ("main_colors", []) => Op::MainColors(uploadcare::limits::DEFAULT_MAIN_COLORS),
        ("main_colors", [n]) => Op::MainColors(px(n, "main_colors")?),
        ("strip_meta", [_]) | ("inline", [_]) => Op::Neutral,
        (
            "preview" | "resize" | "smart_resize" | "scale_crop" | "crop" | "stretch" | "setfill" | "rotate"
            | "flip" | "mirror" | "grayscale" | "invert" | "format" | "quality" | "json" | "main_colors"
            | "strip_meta" | "inline",
            _,
        ) => return Err(bad(format!("`{name}`: wrong number of arguments"))),
        _ => Op::Skipped(name.to_owned()),
    })
}
