import Foundation
import RapportKAM

/// A meeting as a calendar event: a whole day, as meetings are recorded by date.
public struct CalendarEvent: Sendable, Equatable {
    public var uid: String
    public var date: Day
    public var summary: String
    public var description: String

    public init(uid: String, date: Day, summary: String, description: String) {
        self.uid = uid
        self.date = date
        self.summary = summary
        self.description = description
    }
}

/// iCalendar (RFC 5545) for meetings, so they open in any calendar program.
public enum ICalendar {
    /// A VCALENDAR with one VEVENT per event. `stamp` is when the file was made, UTC, `YYYYMMDDTHHMMSSZ`.
    public static func document(_ events: [CalendarEvent], stamp: String) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rapport//Key account meetings//EN", "CALSCALE:GREGORIAN"]
        for event in events {
            let day = event.date.description.replacingOccurrences(of: "-", with: "")
            let next = event.date.adding(days: 1).description.replacingOccurrences(of: "-", with: "")
            lines += [
                "BEGIN:VEVENT",
                "UID:\(escape(event.uid))",
                "DTSTAMP:\(stamp)",
                "DTSTART;VALUE=DATE:\(day)",
                "DTEND;VALUE=DATE:\(next)",
                "SUMMARY:\(escape(event.summary))",
                "DESCRIPTION:\(escape(event.description))",
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, and line breaks as `\n`.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n", "\r": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    /// Folds a content line longer than 75 octets (RFC 5545 3.1): CRLF and a space before each further part,
    /// never splitting a UTF-8 character.
    public static func fold(_ line: String) -> String {
        var parts: [String] = []
        var current = ""
        var octets = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            // The first line holds 75 octets; each continuation holds 74 after its leading space.
            let limit = parts.isEmpty ? 75 : 74
            if octets + size > limit {
                parts.append(current)
                current = ""
                octets = 0
            }
            current.unicodeScalars.append(scalar)
            octets += size
        }
        parts.append(current)
        return parts.joined(separator: "\r\n ")
    }
}
