/// Reads a pull or snapshot page (`PullResponse` in Protocol/openapi.yaml) straight from its bytes.
///
/// A bootstrap moves the whole team's data as such pages, hundreds of megabytes of JSON; Foundation's
/// JSONDecoder reads about 11 MB/s of it on this project's reference machine, which made decoding the largest
/// part of a new laptop's first sync. This reader is a complete JSON parser (any key order, whitespace,
/// escapes, unknown members skipped) that builds the generated wire types directly, so every check after it
/// (`Wire.Operation.domain()`) is the same as with the generated decoder. Anything that is not valid JSON of
/// the page's shape is refused with the byte offset where it went wrong.
public enum PageReader {
    public static func read(_ bytes: [UInt8]) throws(WireFormatError) -> Wire.PullResponse {
        do {
            return try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
                var reader = JSONBytes(buffer)
                let page = try reader.page()
                reader.skipSpace()
                guard reader.atEnd else { throw reader.error("unexpected bytes after the page") }
                return page
            }
        } catch {
            throw WireFormatError("the page is not a valid PullResponse: \(error.message)")
        }
    }
}

struct JSONSyntaxError: Error {
    var message: String
}

/// A cursor over JSON text, reading the values of one known shape.
struct JSONBytes {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { at >= bytes.count }

    func error(_ what: String) -> JSONSyntaxError {
        JSONSyntaxError(message: "\(what) at byte \(at)")
    }

    mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x0A, 0x0D, 0x09: at += 1
            default: return
            }
        }
    }

    /// The next byte after any whitespace, not consumed.
    mutating func peek() throws(JSONSyntaxError) -> UInt8 {
        skipSpace()
        guard at < bytes.count else { throw error("unexpected end of the page") }
        return bytes[at]
    }

    mutating func expect(_ byte: UInt8) throws(JSONSyntaxError) {
        guard try peek() == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
        at += 1
    }

    /// Reads the members of an object, handing each key to `member`, which must read its value.
    mutating func object(_ member: (inout JSONBytes, String) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { at += 1; return }
        while true {
            guard try peek() == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            switch try peek() {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "}"): at += 1; return
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    mutating func array(_ element: (inout JSONBytes) throws(JSONSyntaxError) -> Void) throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") { at += 1; return }
        while true {
            try element(&self)
            switch try peek() {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "]"): at += 1; return
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = at
        // The common case, a string without escapes, is one copy of its bytes. ASCII needs no validation,
        // and `String(validating:)` is generic code that looks up type metadata on every call: reading each
        // string through it took 7% of a bootstrap's CPU time.
        var bits: UInt8 = 0
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<at])
                let text = bits < 0x80 ? String(decoding: slice, as: UTF8.self) : String(validating: slice, as: UTF8.self)
                guard let text else { throw error("a string that is not valid UTF-8") }
                at += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw error("a control character inside a string") }
            bits |= byte
            at += 1
        }
        var scratch = Array(bytes[start..<at])
        while true {
            guard at < bytes.count else { throw error("a string without its closing quote") }
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: scratch, as: UTF8.self) else { throw error("a string that is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &scratch)
            case 0..<0x20:
                at -= 1
                throw error("a control character inside a string")
            default:
                scratch.append(byte)
            }
        }
    }

    mutating func escape(into scratch: inout [UInt8]) throws(JSONSyntaxError) {
        guard at < bytes.count else { throw error("a string without its closing quote") }
        let byte = bytes[at]
        at += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one; together they are one scalar.
                guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                    throw error("an unpaired surrogate escape")
                }
                at += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("an unpaired surrogate escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error("an unpaired surrogate escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("an invalid \\u escape") }
            scratch.append(contentsOf: UTF8.encode(unicode)!)
        default:
            at -= 1
            throw error("an invalid escape")
        }
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard at + 4 <= bytes.count else { throw error("a truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("an invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }

    /// The bytes of a number, checked against JSON's grammar.
    mutating func numberToken() throws(JSONSyntaxError) -> (start: Int, end: Int, integral: Bool) {
        _ = try peek()
        let start = at
        var integral = true
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        let first = at
        let count = digits()
        guard count > 0 else { throw error("expected a number") }
        guard bytes[first] != UInt8(ascii: "0") || count == 1 else { throw error("a number with a leading zero") }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            integral = false
            at += 1
            guard digits() > 0 else { throw error("a number without digits after '.'") }
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            integral = false
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { throw error("a number without digits in its exponent") }
        }
        return (start, at, integral)
    }

    mutating func digits() -> Int {
        let start = at
        while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) { at += 1 }
        return at - start
    }

    mutating func strings() throws(JSONSyntaxError) -> [String] {
        var list: [String] = []
        try array { (reader) throws(JSONSyntaxError) in list.append(try reader.string()) }
        return list
    }

    mutating func int64() throws(JSONSyntaxError) -> Int64 {
        let token = try numberToken()
        guard token.integral else { throw error("expected an integer") }
        var value: Int64 = 0
        let negative = bytes[token.start] == UInt8(ascii: "-")
        for i in (negative ? token.start + 1 : token.start)..<token.end {
            let digit = Int64(bytes[i] - UInt8(ascii: "0"))
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !o1, !o2 else { throw error("an integer beyond 64 bits") }
            value = sum
        }
        return value
    }

    mutating func int32() throws(JSONSyntaxError) -> Int32 {
        let value = try int64()
        guard let small = Int32(exactly: value) else { throw error("an integer beyond 32 bits") }
        return small
    }

    mutating func double() throws(JSONSyntaxError) -> Double {
        let token = try numberToken()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[token.start..<token.end]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw error("a number out of range") }
        return value
    }

    mutating func bool() throws(JSONSyntaxError) -> Bool {
        if literal("true") { return true }
        if literal("false") { return false }
        throw error("expected true or false")
    }

    mutating func literal(_ word: StaticString) -> Bool {
        skipSpace()
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        for i in 0..<count where bytes[at + i] != word.utf8Start[i] { return false }
        at += count
        return true
    }

    /// Skips a value of any kind: a member this version does not know.
    mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        guard depth < 64 else { throw error("values nested too deeply") }
        switch try peek() {
        case UInt8(ascii: "{"): try object { (reader, _) throws(JSONSyntaxError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try array { (reader) throws(JSONSyntaxError) in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): guard literal("null") else { throw error("expected null") }
        default: _ = try numberToken()
        }
    }

    /// null, for an optional member; true when it was there.
    mutating func null() -> Bool {
        literal("null")
    }

    func missing(_ name: String, in what: String) -> JSONSyntaxError {
        error("\(what) without its '\(name)'")
    }
}

extension JSONBytes {
    mutating func page() throws(JSONSyntaxError) -> Wire.PullResponse {
        var entries: [Wire.LogEntry]?
        var next: Int64?
        var more: Bool?
        try object { (reader, key) throws(JSONSyntaxError) in
            switch key {
            case "entries":
                var list: [Wire.LogEntry] = []
                try reader.array { (reader) throws(JSONSyntaxError) in list.append(try reader.entry()) }
                entries = list
            case "next": next = try reader.int64()
            case "more": more = try reader.bool()
            default: try reader.skipValue()
            }
        }
        guard let entries else { throw missing("entries", in: "a page") }
        guard let next else { throw missing("next", in: "a page") }
        guard let more else { throw missing("more", in: "a page") }
        return Wire.PullResponse(entries: entries, next: next, more: more)
    }

    mutating func entry() throws(JSONSyntaxError) -> Wire.LogEntry {
        var seq: Int64?
        var operation: Wire.Operation?
        var conflict: Wire.ConflictRecord?
        try object { (reader, key) throws(JSONSyntaxError) in
            switch key {
            case "seq": seq = try reader.int64()
            case "operation": operation = reader.null() ? nil : try reader.operation()
            case "conflict": conflict = reader.null() ? nil : try reader.conflict()
            default: try reader.skipValue()
            }
        }
        guard let seq else { throw missing("seq", in: "a log entry") }
        return Wire.LogEntry(seq: seq, operation: operation, conflict: conflict)
    }

    mutating func operation() throws(JSONSyntaxError) -> Wire.Operation {
        var id: String?, author: String?, entity: String?, row: String?, field: String?
        var value: Wire.Value?
        var time: Wire.Timestamp?
        var base: String?
        var supersedes: [String]?
        var resolution: Bool?
        try object { (reader, key) throws(JSONSyntaxError) in
            switch key {
            case "id": id = try reader.string()
            case "author": author = try reader.string()
            case "entity": entity = try reader.string()
            case "row": row = try reader.string()
            case "field": field = try reader.string()
            case "value": value = try reader.value()
            case "time": time = try reader.timestamp()
            case "base": base = reader.null() ? nil : try reader.string()
            case "supersedes": supersedes = reader.null() ? nil : try reader.strings()
            case "resolution": resolution = reader.null() ? nil : try reader.bool()
            default: try reader.skipValue()
            }
        }
        guard let id else { throw missing("id", in: "an operation") }
        guard let author else { throw missing("author", in: "an operation") }
        guard let entity else { throw missing("entity", in: "an operation") }
        guard let row else { throw missing("row", in: "an operation") }
        guard let field else { throw missing("field", in: "an operation") }
        guard let time else { throw missing("time", in: "an operation") }
        return Wire.Operation(
            id: id, author: author, entity: entity, row: row, field: field, value: value, time: time,
            base: base, supersedes: supersedes, resolution: resolution)
    }

    mutating func value() throws(JSONSyntaxError) -> Wire.Value? {
        if null() { return nil }
        var value = Wire.Value()
        try object { (reader, key) throws(JSONSyntaxError) in
            switch key {
            case "int": value.int = try reader.int64()
            case "real": value.real = try reader.double()
            case "text": value.text = try reader.string()
            case "bool": value.bool = try reader.bool()
            default: throw reader.error("a value with an unknown member '\(key)'")
            }
        }
        return value
    }

    mutating func timestamp() throws(JSONSyntaxError) -> Wire.Timestamp {
        var ms: Int64?
        var logical: Int32?
        try object { (reader, key) throws(JSONSyntaxError) in
            switch key {
            case "ms": ms = try reader.int64()
            case "logical": logical = try reader.int32()
            default: try reader.skipValue()
            }
        }
        guard let ms else { throw missing("ms", in: "a time") }
        guard let logical else { throw missing("logical", in: "a time") }
        return Wire.Timestamp(ms: ms, logical: logical)
    }

    mutating func conflict() throws(JSONSyntaxError) -> Wire.ConflictRecord {
        var id: String?, entity: String?, row: String?, field: String?
        var versions: [String]?
        var base: String?
        var open: Bool?
        try object { (reader, key) throws(JSONSyntaxError) in
            switch key {
            case "id": id = try reader.string()
            case "entity": entity = try reader.string()
            case "row": row = try reader.string()
            case "field": field = try reader.string()
            case "versions": versions = try reader.strings()
            case "base": base = reader.null() ? nil : try reader.string()
            case "open": open = try reader.bool()
            default: try reader.skipValue()
            }
        }
        guard let id else { throw missing("id", in: "a conflict record") }
        guard let entity else { throw missing("entity", in: "a conflict record") }
        guard let row else { throw missing("row", in: "a conflict record") }
        guard let field else { throw missing("field", in: "a conflict record") }
        guard let versions else { throw missing("versions", in: "a conflict record") }
        guard let open else { throw missing("open", in: "a conflict record") }
        return Wire.ConflictRecord(id: id, entity: entity, row: row, field: field, versions: versions, base: base, open: open)
    }
}
