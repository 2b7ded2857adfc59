//! `_cells` of `_fields.py`: Python's `next(csv.reader([line], delimiter=d))` (the default
//! "excel" dialect: '"' quotes, doubled quotes, no escape character, not strict) and where
//! each value is found in the line.

#[derive(Clone, Copy, PartialEq)]
enum State {
    StartRecord,
    StartField,
    InField,
    InQuotedField,
    QuoteInQuotedField,
    EatCrnl,
}

/// CPython's csv field_size_limit default.
const FIELD_LIMIT: usize = 131_072;

/// A character of the line, or the end of the line (CPython's EOL sentinel).
#[derive(Clone, Copy, PartialEq)]
enum Input {
    Char(char),
    Eol,
}

struct Reader {
    state: State,
    field: Vec<char>,
    fields: Vec<Vec<char>>,
}

impl Reader {
    fn save_field(&mut self) {
        self.fields.push(std::mem::take(&mut self.field));
    }

    fn add_char(&mut self, c: char) -> Result<(), ()> {
        if self.field.len() >= FIELD_LIMIT {
            return Err(());
        }
        self.field.push(c);
        Ok(())
    }

    /// CPython's parse_process_char (Modules/_csv.c) for the dialect `_cells` uses.
    fn process(&mut self, input: Input, delimiter: char) -> Result<(), ()> {
        let newline = |i: Input| i == Input::Char('\n') || i == Input::Char('\r');
        let mut state = self.state;
        if state == State::StartRecord {
            if input == Input::Eol {
                return Ok(());
            } else if newline(input) {
                self.state = State::EatCrnl;
                return Ok(());
            }
            state = State::StartField;
            self.state = state;
        }
        match state {
            State::StartRecord => unreachable!(),
            State::StartField => match input {
                Input::Eol => {
                    self.save_field();
                    self.state = State::StartRecord;
                }
                Input::Char('\n') | Input::Char('\r') => {
                    self.save_field();
                    self.state = State::EatCrnl;
                }
                Input::Char('"') => self.state = State::InQuotedField,
                Input::Char(c) if c == delimiter => self.save_field(),
                Input::Char(c) => {
                    self.add_char(c)?;
                    self.state = State::InField;
                }
            },
            State::InField => match input {
                Input::Eol => {
                    self.save_field();
                    self.state = State::StartRecord;
                }
                Input::Char('\n') | Input::Char('\r') => {
                    self.save_field();
                    self.state = State::EatCrnl;
                }
                Input::Char(c) if c == delimiter => {
                    self.save_field();
                    self.state = State::StartField;
                }
                Input::Char(c) => self.add_char(c)?,
            },
            State::InQuotedField => match input {
                Input::Eol => {}
                Input::Char('"') => self.state = State::QuoteInQuotedField,
                Input::Char(c) => self.add_char(c)?,
            },
            State::QuoteInQuotedField => match input {
                Input::Char('"') => {
                    self.add_char('"')?;
                    self.state = State::InQuotedField;
                }
                Input::Char(c) if c == delimiter => {
                    self.save_field();
                    self.state = State::StartField;
                }
                Input::Eol => {
                    self.save_field();
                    self.state = State::StartRecord;
                }
                Input::Char('\n') | Input::Char('\r') => {
                    self.save_field();
                    self.state = State::EatCrnl;
                }
                Input::Char(c) => {
                    self.add_char(c)?;
                    self.state = State::InField;
                }
            },
            State::EatCrnl => match input {
                Input::Char('\n') | Input::Char('\r') => {}
                Input::Eol => self.state = State::StartRecord,
                Input::Char(_) => return Err(()), // "new-line character seen in unquoted field"
            },
        }
        Ok(())
    }
}

/// `next(csv.reader([line], delimiter=delimiter))`, None where Python raises csv.Error or
/// StopIteration.
fn read(line: &[char], delimiter: char) -> Option<Vec<Vec<char>>> {
    let mut reader = Reader { state: State::StartRecord, field: Vec::new(), fields: Vec::new() };
    for &c in line {
        reader.process(Input::Char(c), delimiter).ok()?;
    }
    reader.process(Input::Eol, delimiter).ok()?;
    if reader.state != State::StartRecord {
        // the input ends inside a quoted field: not strict, the field is saved
        if !reader.field.is_empty() || reader.state == State::InQuotedField {
            reader.save_field();
        } else {
            return None;
        }
    }
    Some(reader.fields)
}

/// `line.find(value, start)` over code points.
fn find(line: &[char], value: &[char], start: usize) -> Option<usize> {
    if start > line.len() || value.len() > line.len() - start {
        return None;
    }
    (start..=line.len() - value.len()).find(|&at| &line[at..at + value.len()] == value)
}

/// `_cells(line, delimiter)`: (start, end) of each cell's value in `line`, quotes excluded.
pub fn cells(line: &[char], delimiter: char) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    let values = match read(line, delimiter) {
        Some(values) => values,
        None => return cells,
    };
    let mut position = 0;
    for value in values {
        let at = if value.is_empty() {
            position
        } else {
            match find(line, &value, position) {
                Some(at) => at,
                None => return Vec::new(),
            }
        };
        cells.push((at, at + value.len()));
        position = at + value.len();
        position = match find(line, &[delimiter], position) {
            Some(next) => next + 1,
            None => line.len(),
        };
    }
    cells
}
