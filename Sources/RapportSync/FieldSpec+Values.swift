import Foundation

extension FieldSpec {
    /// Parses a value typed on the command line. An empty string clears the field.
    public func parse(_ text: String) throws(SchemaError) -> FieldValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .null }
        let value: FieldValue
        switch type {
        case .int:
            guard let v = Int64(trimmed.replacingOccurrences(of: "_", with: "")) else { throw invalid(text) }
            value = .int(v)
        case .real:
            var (t, currency) = Self.withoutCurrency(trimmed.replacingOccurrences(of: "_", with: ""))
            // What followed the digits, to give back in a suggestion ("write 1500k", not "1500").
            var suffix = ""
            if t.hasSuffix("%") { t.removeLast(); suffix = "%" }
            // "5 %" and "$ 5" as some write them: the space between sign and figure says nothing.
            t = t.trimmingCharacters(in: .whitespaces)
            // A sign that contradicts the field is a value typed into the wrong one ("revenue=100%" meant the
            // margin, "margin=$5" an amount): taken as the bare number it stored something nobody meant.
            if isAmount, !suffix.isEmpty {
                // (The account's margin beside its revenue; an opportunity's value has none to point to.)
                throw SchemaError.invalidValue(field: name, value: text, expected: "an amount of money, not a percentage" + (name == "revenue" ? " (the margin is a field of its own)" : ""))
            }
            if currency, case .real(_, _?) = type {
                throw SchemaError.invalidValue(field: name, value: text, expected: type.summary + ", without a currency sign (\(name) is not an amount of money)")
            }
            if currency, !suffix.isEmpty {
                throw SchemaError.invalidValue(field: name, value: text, expected: "either an amount or a percentage, not both: write \(text.replacingOccurrences(of: "%", with: "")) or drop the currency sign")
            }
            var multiplier = 1.0
            switch t.last?.lowercased() {
            case "k": multiplier = 1e3
            case "m": multiplier = 1e6
            case "b": multiplier = 1e9
            default: break
            }
            if multiplier != 1 {
                suffix = String(t.removeLast()) + suffix
                t = t.trimmingCharacters(in: .whitespaces)  // "50 k", as "5 %"
            }
            // Spaces group thousands in much of Europe ("1 250 000"): one reading only, as `import` takes it.
            t = try Self.ungroupingSpaces(t, field: name, typed: text)
            // Commas group thousands only where nothing else can be meant: "1,5" is 1.5 in much of Europe and
            // 15 in the US, and "1,500" 1.5 or 1500; "1,950,000" and "1,500.00" are one number anywhere.
            if t.contains(",") {
                // "1,2m", "12,5%": a decimal comma, as much of Europe writes it.
                // ("0,125" too: no thousands start with a 0.)
                if t.wholeMatch(of: /[-+]?\d+,\d+/) != nil, t.wholeMatch(of: /[-+]?[1-9]\d{0,2},\d{3}/) == nil {
                    let dotted = t.replacingOccurrences(of: ",", with: ".") + suffix
                    throw SchemaError.invalidValue(field: name, value: text, expected: "a number with a decimal point, not a comma: write \(dotted)")
                }
                // "1.200.000,50": dots group thousands and the comma is the decimal one, as a European spreadsheet
                // writes an amount; one reading only.
                if t.wholeMatch(of: /[-+]?\d{1,3}(\.\d{3})+,\d+/) != nil {
                    let pointed = t.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".") + suffix
                    throw SchemaError.invalidValue(field: name, value: text, expected: "a number with a decimal point and no thousands dots: write \(pointed)")
                }
                guard t.wholeMatch(of: /[-+]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?/) != nil else { throw invalid(text) }
                guard t.filter({ $0 == "," }).count > 1 || t.contains(".") else {
                    let grouped = t.replacingOccurrences(of: ",", with: "") + suffix
                    let decimal = FieldValue.real(Double(t.replacingOccurrences(of: ",", with: ".")) ?? 0).display + suffix
                    throw SchemaError.invalidValue(field: name, value: text, expected: "a number without a thousands comma (it may mean \(grouped) or \(decimal)): write \(grouped), or \(decimal) if that is meant")
                }
                t.removeAll { $0 == "," }
            } else if currency || isAmount, suffix.isEmpty, t.wholeMatch(of: /-?[1-9]\d{0,2}(\.\d{3})+/) != nil {
                // "€1.200" or a revenue of "1.500" is twelve or fifteen hundred where a dot groups thousands:
                // read as 1.2 or 1.5 it was a thousandth of it.
                let grouped = t.replacingOccurrences(of: ".", with: "")
                // Of two dots or more, the grouped reading is the only one; of one, the decimal is written so that it
                // passes ("1.2340": "1.234 if that is meant" named the very text refused).
                guard t.filter({ $0 == "." }).count == 1 else {
                    throw SchemaError.invalidValue(field: name, value: text, expected: "an amount without thousands dots: write \(grouped)")
                }
                let decimal = FieldValue.real(Double(t) ?? 0).display
                // The decimal as it passes: 1.2 itself; 1.234 only with a fourth digit ("write 1.2000 for 1.2" puzzled).
                let passing = decimal.wholeMatch(of: /-?[1-9]\d{0,2}(\.\d{3})+/) == nil ? "\(decimal) if that is meant" : "\(t)0 for \(decimal)"
                throw SchemaError.invalidValue(field: name, value: text, expected: "an amount without thousands dots (\(t) may be \(grouped) or \(decimal)): write \(grouped), or \(passing)")
            }
            guard t.allSatisfy({ "0123456789.-+eE".contains($0) }), let v = Double(t), v.isFinite else { throw invalid(text) }
            // Past this a figure is a typo (an exponent, pasted digits), not a revenue or a KPI: 1e308 passed, and
            // then overflowed the report's chart scale into an endless loop; doubles hold 15 digits exactly.
            guard abs(v * multiplier) <= Self.largestReal else {
                throw SchemaError.invalidValue(field: name, value: text, expected: "a number no larger than 1e15 (a million billion)")
            }
            // "1e3" as a revenue is a slip more likely than a way of writing a thousand, which 1k writes.
            if currency || isAmount, t.contains(where: { $0 == "e" || $0 == "E" }) {
                throw SchemaError.invalidValue(field: name, value: text, expected: "an amount in digits, not an exponent: write \(FieldValue.real(v * multiplier).display)")
            }
            // Scaled in decimal: 12.3456k as a double product was 12345.599999999999, in JSON and history.
            let scaled = multiplier == 1 ? v : (Decimal(string: t).map { NSDecimalNumber(decimal: $0 * Decimal(multiplier)).doubleValue } ?? v * multiplier)
            value = .real(scaled + 0)  // + 0 turns -0 into 0
        case .bool:
            switch trimmed.lowercased() {
            case "true", "yes", "1", "y": value = .bool(true)
            case "false", "no", "0", "n": value = .bool(false)
            default: throw invalid(text)
            }
        case .choice(let words):
            // Spelled with a space, a hyphen, an underscore or a slash where the word has another, or none ("decision
            // maker", "ad-hoc", "new_market", "Closed/Won"): the word still, as in any case.
            func letters(_ s: String) -> String { s.lowercased().filter { !"- _/".contains($0) } }
            guard let word = words.first(where: { $0.caseInsensitiveCompare(trimmed) == .orderedSame }) ?? words.first(where: { letters($0) == letters(trimmed) })
                    ?? aliases.first(where: { letters($0.key) == letters(trimmed) })?.value
            else { throw invalid(text) }
            value = .text(word)
        case .text, .date, .dateTime, .reference:
            // Free text keeps its spaces (an indented list); a one-line value does not: an owner " bob " left
            // the account off bob's `due`.
            // In composed form (NFC): "é" typed as e and an accent (macOS file names, some keyboards) was stored
            // so, and a grep or a spreadsheet lookup of the name as usually typed found nothing.
            // A one-line value loses the invisible characters a copy from a web page or a spreadsheet brings
            // (`withoutInvisibles`): "Acme" with a zero-width space was another name, found by none.
            value = .text(type == .text && merge == .reviewedText ? text.precomposedStringWithCanonicalMapping
                : Self.withoutInvisibles(trimmed.precomposedStringWithCanonicalMapping).trimmingCharacters(in: .whitespaces))
        }
        do { try validate(value) } catch {
            // Quoting what was typed: "'-5000' is not a valid value" answered --value -5k.
            guard case .invalidValue(let field, _, let expected) = error else { throw error }
            throw .invalidValue(field: field, value: text, expected: expected)
        }
        try checkLine(value)
        try checkLength(value)
        if type == .text, merge == .lastWriterWins, case .text(let s) = value { try Self.refuseDirectionOverride(s, field: name) }
        if type == .text, merge == .reviewedText, case .text(let s) = value, let control = Self.strayControl(in: s) {
            throw .invalidValue(field: name, value: String(s.prefix(40)) + (s.count > 40 ? "…" : ""),
                                expected: "text without \(Self.describe(control)), which garbles the terminal of whoever reads it: remove it")
        }
        if type == .date, case .text(let s) = value, let year = Int(s.prefix(4)), !Self.typedYears.contains(year) {
            throw .invalidValue(field: name, value: s, expected: "a date from \(Self.typedYears.lowerBound) to \(Self.typedYears.upperBound) (a year of 9999 or 1066 is a typo)")
        }
        return value
    }

    /// The currency codes an amount may carry ("EUR 12k", "5000 USD"): the figure is taken, the currency is not
    /// kept (Rapport holds one currency per team, by convention).
    /// A figure typed without its currency, and whether it had one: a sign before or after it, or a code ("$1,950,000.00",
    /// "5€", "EUR 50k", "12k EUR"), as a CRM, a contract or much of Europe writes an amount.
    public static func withoutCurrency(_ text: String) -> (figure: String, currency: Bool) {
        var t = text
        var currency = t.first.map { "$€£¥".contains($0) } ?? false
        if currency { t.removeFirst() }
        if !currency, let last = t.last, "$€£¥".contains(last) { t.removeLast(); currency = true }
        t = t.trimmingCharacters(in: .whitespaces)
        if !currency, t.count > 3 {
            let head = String(t.prefix(3)).uppercased(), tail = String(t.suffix(3)).uppercased()
            if currencyCodes.contains(head), !t.dropFirst(3).first!.isLetter { t.removeFirst(3); currency = true }
            // (After a multiplier too: `import` takes the spaces out of "12k EUR".)
            else if currencyCodes.contains(tail), let before = t.dropLast(3).last, !before.isLetter || "kmbKMB".contains(before) {
                t.removeLast(3); currency = true
            }
        }
        return (t, currency)
    }

    /// The currency a figure was typed in, as its code ("€5": EUR, "12k GBP": GBP), or "$" and "¥", which several
    /// currencies write; nil for a figure without one.
    public static func currencyTyped(_ text: String) -> String? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard withoutCurrency(t).currency else { return nil }
        let symbols: [Character: String] = ["$": "$", "€": "EUR", "£": "GBP", "¥": "¥"]
        if let first = t.first, let code = symbols[first] { return code }
        if let last = t.last, let code = symbols[last] { return code }
        let head = String(t.prefix(3)).uppercased(), tail = String(t.suffix(3)).uppercased()
        return currencyCodes.contains(head) ? head : currencyCodes.contains(tail) ? tail : nil
    }

    /// Whether a unit (a KPI's "EUR", "$", "usd") is the currency `typed` (`currencyTyped`) names, or may be.
    public static func unit(_ unit: String, isCurrency typed: String) -> Bool {
        let u = unit.trimmingCharacters(in: .whitespaces).uppercased()
        switch typed {
        case "$": return ["$", "USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"].contains(u)
        case "¥": return ["¥", "JPY", "CNY"].contains(u)
        case "EUR": return u == "EUR" || u == "€"
        case "GBP": return u == "GBP" || u == "£"
        default: return u == typed
        }
    }

    public static let currencyCodes: Set = ["EUR", "USD", "GBP", "CHF", "JPY", "CNY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "INR", "BRL", "MXN", "ZAR", "SGD", "HKD"]

    /// The years a date typed or imported may fall in: a customer since 1066 or a meeting in 9999 is a typo, and
    /// the calendar export cannot write a day after 9999-12-30. Dates synced from elsewhere are taken as they are.
    public static let typedYears = 1900...2199

    /// The longest one-line value typed or imported (a title, an industry), as `AccountName.maxLength`.
    public static let longestLine = 200

    /// Refuses a line break, tab or other control character in a last-writer-wins text field: a name, a title,
    /// an owner is shown on one line in every table and CSV row and found by its words, and a tab or an escape
    /// in it breaks their layout. Free text (notes, meeting notes, concern steps) is reviewed text and keeps its
    /// lines. Only what is typed or imported is checked, not what the server accepts: values written by
    /// earlier versions still sync.
    public func checkLine(_ value: FieldValue) throws(SchemaError) {
        func breaks(_ scalar: Unicode.Scalar) -> Bool {
            [.control, .lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory)
        }
        guard type == .text, merge == .lastWriterWins, case .text(let s) = value, s.unicodeScalars.contains(where: breaks) else { return }
        let shown = s.unicodeScalars.map { breaks($0) ? $0.escaped(asASCII: true) : String($0) }.joined()
        throw .invalidValue(field: name, value: shown, expected: "one line of text, without tabs or control characters")
    }

    /// Refuses, in a one-line value typed or imported, an override of the writing direction (U+202D, U+202E): it
    /// shows the rest of the line reversed, in this field and in whatever column follows ("Acme\u{202E}LTD" reads
    /// "AcmeDTL"), a name that reads as another. Only where a value is typed: one synced or stored before stands.
    public static func refuseDirectionOverride(_ text: String, field: String) throws(SchemaError) {
        let overrides: Set<Unicode.Scalar> = ["\u{202D}", "\u{202E}"]
        guard let mark = text.unicodeScalars.first(where: overrides.contains) else { return }
        let shown = text.unicodeScalars.map { overrides.contains($0) ? $0.escaped(asASCII: true) : String($0) }.joined()
        throw .invalidValue(field: field, value: shown, expected: "text without the invisible writing-direction override \(String(format: "U+%04X", mark.value)), which shows what follows it reversed: type the text again, or copy it from elsewhere")
    }

    /// A one-line value without the characters nobody sees or means in it: zero-width space, word joiner, byte-order
    /// mark, soft hyphen, and the embeddings and isolates of the writing direction that chat apps and office
    /// exports put around names (they only frame the text). Not the zero-width joiners that Persian, Indic
    /// scripts and emoji need, nor the left-to-right and right-to-left marks.
    public static func withoutInvisibles(_ text: String) -> String {
        let invisible: Set<Unicode.Scalar> = ["\u{200B}", "\u{2060}", "\u{FEFF}", "\u{00AD}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}"]
        guard text.unicodeScalars.contains(where: invisible.contains) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { !invisible.contains($0) }))
    }

    /// The one-line fields that name or label a record, shown whole in every table and confirmation: a
    /// 1000-character action made `action list` lines a thousand wide. (Not a description, a goal's outcome or a
    /// meeting's attendees, which run longer by nature.) An action's `text` is its title; an override's reason
    /// is shown whole in its scorecard's WHY column (5,000 characters were taken).
    public static let labelFields: Set = ["name", "title", "text", "industry", "owner", "email", "unit", "person", "responsibility", "reason"]

    /// Refuses a label longer than `longestLine`. Checked where a value is typed, imported or set, not where a
    /// removed record's value is copied back or synced: values of earlier versions stand.
    public func checkLength(_ value: FieldValue) throws(SchemaError) {
        guard type == .text, merge == .lastWriterWins, Self.labelFields.contains(name), case .text(let s) = value, s.count > Self.longestLine else { return }
        throw .invalidValue(field: name, value: String(s.prefix(40)) + "…", expected: "one line of at most \(Self.longestLine) characters (this is \(s.count)): a longer text belongs in notes")
    }

    /// The first control character of a free text that a terminal would act on, with its line: anything but a
    /// line break, a tab, or a carriage return before a line break (a lone one writes over the line: "Paid\rOpen"
    /// reads "Open"). An escape sequence in a note garbles the terminal of whoever reads it once synced.
    public static func strayControl(in text: String) -> (scalar: Unicode.Scalar, line: Int)? {
        var line = 1
        let scalars = Array(text.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            switch scalar {
            case "\n": line += 1
            case "\t": continue
            case "\r" where i + 1 < scalars.count && scalars[i + 1] == "\n": continue
            default: if scalar.properties.generalCategory == .control { return (scalar, line) }
            }
        }
        return nil
    }

    /// How a stray control character is named in a refusal.
    public static func describe(_ control: (scalar: Unicode.Scalar, line: Int)) -> String {
        let name = control.scalar == "\u{1B}" ? "an escape, " : control.scalar == "\u{07}" ? "a bell, " : control.scalar == "\r" ? "a carriage return not before a line break, " : ""
        return "a control character (\(name)\(String(format: "U+%04X", control.scalar.value))) on line \(control.line)"
    }

    /// Checks that a value is of this field's type and within its range.
    public func validate(_ value: FieldValue) throws(SchemaError) {
        switch (type, value) {
        case (_, .null):
            return
        case (_, .text(let s)) where s.utf8.contains(0):
            // SQLite's text readers stop at a NUL: the replicas and the server would keep the whole text but show
            // and send on only what precedes it, and the team would disagree about the value.
            throw .invalidValue(field: name, value: value.display.replacingOccurrences(of: "\u{0}", with: "\\0"), expected: "text without NUL characters")
        case (.int(let lo, let hi), .int(let v)):
            if let lo, v < lo { throw invalid(value.display) }
            if let hi, v > hi { throw invalid(value.display) }
        case (.real(let lo, let hi), .real(let v)):
            guard v.isFinite else { throw invalid(value.display) }
            if let lo, v < lo { throw invalid(value.display) }
            if let hi, v > hi { throw invalid(value.display) }
        case (.real(let lo, let hi), .int(let v)):
            // Clients in languages without an int/real distinction may send 5 for 5.0.
            try validate(.real(Double(v)))
            _ = (lo, hi)
        case (.bool, .bool), (.text, .text), (.reference, .text):
            return
        case (.date, .text(let s)):
            guard Self.isDate(s) else { throw invalid(s) }
        case (.dateTime, .text(let s)):
            guard Self.isDateTime(s) else { throw invalid(s) }
        case (.choice(let words), .text(let s)):
            guard words.contains(s) else { throw invalid(s) }
        default:
            throw .invalidValue(field: name, value: value.display, expected: "\(type.summary), not a \(value.typeName) value")
        }
    }

    /// The largest magnitude a number typed or imported may have.
    public static let largestReal = 1e15

    /// A sum of money (a revenue, an opportunity's value): at least 0, with no upper bound.
    public var isAmount: Bool {
        if case .real(0?, nil) = type { true } else { false }
    }

    private func invalid(_ text: String) -> SchemaError {
        // A number without an upper bound says the forms it may take, which the bare "of at least 0" did not;
        // a percentage or a weight says its range alone.
        guard case .real(_, nil) = type else { return .invalidValue(field: name, value: text, expected: type.summary) }
        return .invalidValue(field: name, value: text, expected: type.summary + " (such as 12.5, 1.2m, 350k or 1,250,000.00)")
    }

    static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d), y > 0
        else { return false }
        var c = DateComponents()
        c.year = y; c.month = m; c.day = d
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return c.isValidDate(in: cal)
    }

    static func isDateTime(_ s: String) -> Bool {
        (try? Date.ISO8601FormatStyle().parse(s)) != nil
    }
}

extension FieldSpec {
    /// The spaces that group a number's thousands, as much of Europe writes them ("1 250 000", also with a no-break,
    /// narrow or thin space, as spreadsheets and word processors put them), taken out: only groups of three are
    /// ("1 25" was 125). Other spaces stay, for the caller to read or refuse.
    public static func ungroupingSpaces(_ text: String, field: String, typed: String) throws(SchemaError) -> String {
        let spaced = text.replacingOccurrences(of: "\u{A0}", with: " ").replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{2009}", with: " ")
        guard spaced.contains(" ") else { return text }
        for digits in spaced.matches(of: /[0-9]+( [0-9]+)+/) where digits.output.0.wholeMatch(of: /[0-9]{1,3}( [0-9]{3})+/) == nil {
            throw .invalidValue(field: field, value: typed, expected: "an amount whose spaces group thousands in threes (1 250 000): '\(digits.output.0)' is not one number")
        }
        return spaced.replacing(/[0-9]{1,3}( [0-9]{3})+/) { $0.output.0.replacingOccurrences(of: " ", with: "") }
    }
}
