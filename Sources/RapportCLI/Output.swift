import Foundation
import RapportKAM
import RapportReplica
import RapportSync

/// A JSON value for `--json` output: plain JSON types, so scripts need no knowledge of the wire format.
enum JSON: Encodable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(_ value: FieldValue) {
        switch value {
        case .null: self = .null
        case .int(let v): self = .int(v)
        case .real(let v): self = .number(v)
        case .text(let v): self = .string(v)
        case .bool(let v): self = .bool(v)
        }
    }

    init(_ record: Record, entity: EntitySpec) {
        var object: [String: JSON] = ["id": .string(record.id)]
        for field in entity.fields { object[field.name] = JSON(record[field.name]) }
        self = .object(object)
    }

    init(_ op: Operation) {
        var object: [String: JSON] = [
            "id": .string(op.id.description), "author": .string(op.author), "entity": .string(op.entity),
            "row": .string(op.row), "field": .string(op.field), "value": JSON(op.value),
            "time": .string(Format.time(op.time.ms)), "hlc": .string(op.time.description),
        ]
        if let base = op.base { object["base"] = .string(base.description) }
        if !op.supersedes.isEmpty { object["supersedes"] = .array(op.supersedes.map { .string($0.description) }) }
        self = .object(object)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        // (+ 0: a negative zero, a rounding's or a clamp's, is written 0, not "-0".)
        case .number(let v): try c.encode(v + 0)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }

    func print() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(self), as: UTF8.self))
    }
}

enum Format {
    /// A moment for `--json`, in UTC with its "Z": without it, a script read the UTC time as local (the
    /// text output shows local time).
    static func time(_ ms: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon)) + "Z"
    }

    static func shortTime(_ ms: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        var style = Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .current)
        style = style.year().month().day().time(includingFractionalSeconds: false)
        return String(date.formatted(style).prefix(16))
    }

    /// Left-aligned columns, two spaces apart.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        // A value a colleague synced may hold control characters (an escape sequence that retitles or clears the
        // terminal, a line break that fakes a row): a table shows them as �. Most tables have none to replace.
        if rows.contains(where: { $0.contains(where: hasControl) }) {
            return table(header, rows.map { $0.map(visible) })
        }
        // Widths are measured once per cell, kept in one flat array; the table is built as UTF-8 bytes in one
        // buffer. Strings per padded cell (Foundation's `padding(toLength:)`, then substrings of spaces) cost
        // more than the query behind a list of ten thousand accounts.
        let columns = header.count
        var counts: [Int] = []
        counts.reserveCapacity((rows.count + 1) * columns)
        var widths = [Int](repeating: 0, count: columns)
        var bytes = 0
        func measure(_ row: [String]) {
            for (i, cell) in row.enumerated() {
                let count = width(cell)
                counts.append(count)
                widths[i] = max(widths[i], count)
                bytes += cell.utf8.count
            }
        }
        measure(header)
        for row in rows { measure(row) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes + (rows.count + 1) * (widths.reduce(0, +) + 2 * columns + 1))
        var c = 0
        func write(_ row: [String]) {
            for (i, cell) in row.enumerated() {
                out.append(contentsOf: cell.utf8)
                if i < row.count - 1 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(0, widths[i] - counts[c]) + 2)) }
                c += 1
            }
        }
        write(header)
        for row in rows {
            out.append(UInt8(ascii: "\n"))
            write(row)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A cell's width in terminal columns. Most cells are plain ASCII, where that is the byte count; counting
    /// characters (grapheme clusters) for every cell of a long list cost a fifth of the command. A Chinese,
    /// Japanese or Korean character or an emoji takes two columns ("東京商事" pushed the columns after it out of
    /// line when counted as four).
    static func width(_ cell: String) -> Int {
        if cell.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x80 }) { return cell.utf8.count }
        return cell.reduce(0) { total, character in
            // Latin, Greek, Cyrillic and the like ("Müller") are one column without looking further.
            guard let first = character.unicodeScalars.first, first.value >= 0x1100 || character.unicodeScalars.count > 1 else { return total + 1 }
            let emoji = character.unicodeScalars.contains { $0.properties.isEmojiPresentation || $0.value == 0xFE0F }
            return total + (isWide(first) || emoji ? 2 : 1)
        }
    }

    /// East Asian wide and fullwidth characters (Unicode's EastAsianWidth W and F, by block).
    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD: true
        default: false
        }
    }

    /// Whether a text holds a control character (C0, DEL or C1), checked on its bytes: C1 characters are
    /// U+0080-U+009F, two bytes starting 0xC2 in UTF-8.
    static func hasControl(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7f || (previous == 0xc2 && byte < 0xa0) { return true }
            previous = byte
        }
        return false
    }

    /// The text with each control character shown as �.
    static func visible(_ text: String) -> String {
        guard hasControl(text) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "\u{FFFD}" : $0 }))
    }

    /// The text with each control character shown as � but line breaks (LF, or CR LF) and tabs, which lay out
    /// a note rather than steer the terminal.
    static func printable(_ text: String) -> String {
        guard hasControl(text) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, scalar) in scalars.enumerated() {
            let layout = scalar == "\n" || scalar == "\t" || (scalar == "\r" && i + 1 < scalars.count && scalars[i + 1] == "\n")
            out.append(scalar.properties.generalCategory == .control && !layout ? "\u{FFFD}" : scalar)
        }
        return String(out)
    }

    /// `text` ended with a full stop, unless it ends with one already (a name such as "Fabrikam, Inc.").
    static func sentence(_ text: String) -> String {
        text.hasSuffix(".") ? text : text + "."
    }

    /// The first line of a text, cut to `max` characters; "…" marks that more was left out, in a table.
    static func oneLine(_ text: String, max: Int = 60) -> String {
        let line = firstLine(text, max: max)
        return isCut(text, max: max) && !line.hasSuffix("…") ? line + " …" : line
    }

    /// Whether `oneLine` leaves something out: a second line, or more than `max` characters of the first.
    static func isCut(_ text: String, max: Int = 60) -> Bool {
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
        return lines.count > 1 || (lines.first?.count ?? 0) > max
    }

    /// "a" or "an" before a word, by its first letter: "an opportunity", "a KPI".
    static func article(_ word: String) -> String {
        word.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    }

    /// "did you mean 'A' or 'B'?" for names a slip may have meant (`Spelling.suggestions`), or nil for none.
    static func didYouMean(_ guesses: [String]) -> String? {
        guesses.isEmpty ? nil : "did you mean \(list(guesses.map { "'\($0)'" }, conjunction: "or"))?"
    }

    /// " (did you mean 'key'?)" for the one word of a short list that `typed` is a slip of (`Spelling.likely`);
    /// "" for none.
    static func likely(_ typed: String, among words: [String]) -> String {
        Spelling.likely(typed, among: words).flatMap { didYouMean([$0]) }.map { " (\($0))" } ?? ""
    }

    /// "A or B", "A, B or C".
    static func list(_ items: [String], conjunction: String) -> String {
        items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
    }

    /// A note's title when none is given: its first line, a tab or other control character in it a space
    /// (a title is one line), whatever the line endings (a file from Windows ends its lines in CR LF).
    static func titleLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init) ?? ""
        // (Without invisible characters and writing-direction overrides, as a title typed is: the body keeps them.)
        let plain = String(String.UnicodeScalarView(FieldSpec.withoutInvisibles(line).unicodeScalars.compactMap {
            $0.properties.generalCategory == .control ? " " : $0 == "\u{202D}" || $0 == "\u{202E}" ? nil : $0
        }))
        return firstLine(plain.trimmingCharacters(in: .whitespaces))
    }

    /// The first line of a text, cut to `max` characters.
    static func firstLine(_ text: String, max: Int = 60) -> String {
        // Any line ending: "\r\n" is one Character, not "\n", and a note written on Windows has them.
        let line = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > max ? String(line.prefix(max - 1)) + "…" : line
    }
}

/// Words for a command the output suggests, as a shell reads them: a name with a space, a quote or an
/// ampersand ("O'Brien \"Quoted\" Ltd") is pasted back as one argument, unchanged.
enum Shell {
    static func quote(_ word: String) -> String {
        // A leading "=" is zsh's path expansion: quoted too.
        let plain = !word.isEmpty && !word.hasPrefix("=") && word.unicodeScalars.allSatisfy {
            ($0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_./:@%+=,".unicodeScalars.contains($0)))
                || (!$0.isASCII && $0.properties.isAlphabetic)
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Writes to standard error.
func warn(_ message: String) {
    let text = message + "\n"
    FileHandle.standardError.write(Data((Terminal.standardError ? Format.printable(text) : text).utf8))
}

/// Every command prints through this, not the standard library's `print`: text a colleague synced may hold
/// control characters (an escape sequence that clears or retitles the terminal, a carriage return that writes
/// over the line before), and `show`, `history` or a report print it whole. On a terminal those are shown as
/// �, line breaks and tabs kept; output to a file or a pipe (a CSV export, `--json`) is written as stored.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    Swift.print(Terminal.standardOutput ? Format.printable(text) : text, terminator: "")
}

/// Whether the process writes to a terminal, asked once.
enum Terminal {
    static let standardOutput = isatty(STDOUT_FILENO) == 1
    static let standardError = isatty(STDERR_FILENO) == 1
}
