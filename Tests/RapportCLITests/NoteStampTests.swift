import Foundation
import RapportKAM
import Testing
@testable import RapportCLI

/// A note's `created_at`: a moment, or a day with no time (dated back), which every time zone reads as that day.
@Suite struct NoteStampTests {
    @Test func aDayOnlyStampIsThatDayAndNoMomentIsTakenForOne() throws {
        let day = try #require(Day("2026-05-20"))
        let stamp = try #require(NoteCommand.stamp(writtenOn: day))
        #expect(stamp == "2026-05-20T12:00:00Z" && NoteCommand.dayOnly(stamp) == day)
        #expect(NoteCommand.writtenDay(stamp) == day && NoteCommand.writtenTime(stamp) == "2026-05-20")
        // A note written in that very second of the day is a moment, a second on.
        let noon = try Date("2026-06-01T12:00:00Z", strategy: .iso8601)
        #expect(NoteCommand.nowStamp(noon) == "2026-06-01T12:00:01Z")
        #expect(NoteCommand.dayOnly(NoteCommand.nowStamp(noon)) == nil)
        #expect(NoteCommand.nowStamp(noon.addingTimeInterval(5)) == "2026-06-01T12:00:05Z")
        #expect(NoteCommand.dayOnly("2026-06-01T12:00:00.5Z") == nil)
    }
}
