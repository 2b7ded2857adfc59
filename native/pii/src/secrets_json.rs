//! `_is_jwt` of _secrets.py: `orjson.loads(base64.urlsafe_b64decode(header + padding))` is a
//! dict with an "alg" key. The decoder and a JSON reader that accepts what orjson accepts
//! (RFC 8259, strict UTF-8, no byte order mark, paired surrogate escapes, numbers that are
//! finite as doubles, at most 1024 nested containers) and nothing else.

/// Python's `base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))` for `s` made of the
/// base64url alphabet (what `_KEY` lets through): None where Python raises binascii.Error
/// (one character more than a multiple of four). Characters outside the alphabet are
/// discarded, as Python's non-strict decoder does; leftover bits are ignored, as there.
pub fn urlsafe_b64decode_padded(s: &str) -> Option<Vec<u8>> {
    let mut sextets = Vec::with_capacity(s.len());
    for byte in s.bytes() {
        let v = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => continue,
        };
        sextets.push(v as u32);
    }
    if sextets.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let mut acc = 0u32;
        for (i, v) in chunk.iter().enumerate() {
            acc |= v << (18 - 6 * i);
        }
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Some(out)
}

/// The decoded header is a JSON object (as orjson reads it) with an "alg" key.
pub fn is_object_with_alg(data: &[u8]) -> bool {
    if std::str::from_utf8(data).is_err() {
        return false;
    }
    let mut reader = Reader { b: data, i: 0, depth: 0 };
    reader.ws();
    if reader.peek() != Some(b'{') {
        // a valid document that is not an object is not a header either
        return false;
    }
    let found = match reader.object(true) {
        Ok(found) => found,
        Err(()) => return false,
    };
    reader.ws();
    found && reader.i == reader.b.len()
}

const MAX_DEPTH: usize = 1024;

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

type R<T> = Result<T, ()>;

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> R<()> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    fn value(&mut self) -> R<()> {
        match self.peek() {
            Some(b'{') => self.object(false).map(|_| ()),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(()),
        }
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(())
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { Err(()) } else { Ok(()) }
    }

    /// An object; whether one of its keys is "alg" (looked at only when `keys`).
    fn object(&mut self, keys: bool) -> R<bool> {
        self.enter()?;
        self.eat(b'{')?;
        self.ws();
        let mut found = false;
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(false);
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(());
            }
            let key = self.string()?;
            if keys && key == "alg" {
                found = true;
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            self.value()?;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(found);
                }
                _ => return Err(()),
            }
        }
    }

    fn array(&mut self) -> R<()> {
        self.enter()?;
        self.eat(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value()?;
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(()),
            }
        }
    }

    fn hex4(&mut self) -> R<u32> {
        if self.i + 4 > self.b.len() {
            return Err(());
        }
        let mut v = 0u32;
        for k in 0..4 {
            let d = (self.b[self.i + k] as char).to_digit(16).ok_or(())?;
            v = v * 16 + d;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> R<String> {
        self.eat(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let byte = self.peek().ok_or(())?;
            self.i += 1;
            match byte {
                b'"' => break,
                0..=0x1f => return Err(()),
                b'\\' => {
                    let escape = self.peek().ok_or(())?;
                    self.i += 1;
                    let c = match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let unit = self.hex4()?;
                            if (0xD800..0xDC00).contains(&unit) {
                                self.eat(b'\\')?;
                                self.eat(b'u')?;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(());
                                }
                                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                char::from_u32(code).ok_or(())?
                            } else if (0xDC00..0xE000).contains(&unit) {
                                return Err(());
                            } else {
                                char::from_u32(unit).ok_or(())?
                            }
                        }
                        _ => return Err(()),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(byte),
            }
        }
        // the document is valid UTF-8 and escapes add whole characters
        String::from_utf8(out).map_err(|_| ())
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> R<()> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.i += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(()); // leading zero
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(()),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(());
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(());
            }
        }
        // orjson reads every number as a double when it does not fit an integer, and
        // rejects one that is infinite as a double
        let text = std::str::from_utf8(&self.b[start..self.i]).map_err(|_| ())?;
        let value: f64 = text.parse().map_err(|_| ())?;
        if value.is_finite() { Ok(()) } else { Err(()) }
    }
}
