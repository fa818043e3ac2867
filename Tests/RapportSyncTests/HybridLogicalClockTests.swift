import Foundation
import RapportSync
import Testing

@Suite("Hybrid logical clock")
struct HybridLogicalClockTests {
    @Test("A tick takes the physical time when it is ahead")
    func tickTakesPhysicalTimeWhenAhead() {
        var clock = HybridLogicalClock(last: Timestamp(ms: 1_000, logical: 7))
        #expect(clock.tick(physical: 2_000) == Timestamp(ms: 2_000, logical: 0))
    }

    @Test("Ticks in the same millisecond, or with the physical clock behind, count up the logical part")
    func tickCountsUpWhenPhysicalTimeStalls() {
        var clock = HybridLogicalClock()
        #expect(clock.tick(physical: 5_000) == Timestamp(ms: 5_000, logical: 0))
        #expect(clock.tick(physical: 5_000) == Timestamp(ms: 5_000, logical: 1))
        #expect(clock.tick(physical: 4_000) == Timestamp(ms: 5_000, logical: 2))
    }

    @Test("Readings strictly increase whatever the physical clock does", arguments: 0..<20 as Range<UInt64>)
    func ticksAreMonotonic(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var clock = HybridLogicalClock()
        var physical: Int64 = 1_763_906_400_000
        var previous = Timestamp.zero
        for step in 0..<2_000 {
            physical += Int64.random(in: -20...3, using: &rng)
            let reading = clock.tick(physical: physical)
            #expect(previous < reading, "seed \(seed), step \(step): \(reading) after \(previous)")
            #expect((0...Timestamp.maxLogical).contains(reading.logical))
            previous = reading
        }
    }

    @Test("Past logical 65535 the clock borrows the next millisecond")
    func logicalOverflowBorrowsAMillisecond() {
        var clock = HybridLogicalClock(last: Timestamp(ms: 1_000, logical: 65_534))
        #expect(clock.tick(physical: 1_000) == Timestamp(ms: 1_000, logical: 65_535))
        #expect(clock.tick(physical: 1_000) == Timestamp(ms: 1_001, logical: 0))
        #expect(clock.tick(physical: 1_000) == Timestamp(ms: 1_001, logical: 1))
        #expect(clock.tick(physical: 1_002) == Timestamp(ms: 1_002, logical: 0))
    }

    @Test("Receiving a timestamp from ahead moves every later reading past it")
    func receiveAdvancesPastRemote() {
        var clock = HybridLogicalClock(last: Timestamp(ms: 1_000, logical: 0))
        clock.receive(Timestamp(ms: 5_000, logical: 7), physical: 2_000)
        #expect(clock.last == Timestamp(ms: 5_000, logical: 8))
        #expect(clock.tick(physical: 2_000) == Timestamp(ms: 5_000, logical: 9))
    }

    @Test("Receiving a timestamp from behind still advances the clock")
    func receiveFromBehindAdvances() {
        var clock = HybridLogicalClock(last: Timestamp(ms: 5_000, logical: 3))
        clock.receive(Timestamp(ms: 1_000, logical: 0), physical: 4_000)
        #expect(clock.last == Timestamp(ms: 5_000, logical: 4))
    }

    @Test("Receiving with the physical clock ahead of both takes the physical time")
    func receiveTakesPhysicalTimeWhenAhead() {
        var clock = HybridLogicalClock(last: Timestamp(ms: 1_000, logical: 4))
        clock.receive(Timestamp(ms: 2_000, logical: 9), physical: 3_000)
        #expect(clock.last == Timestamp(ms: 3_000, logical: 0))
    }

    @Test("Receiving a timestamp at the largest logical value borrows a millisecond")
    func receiveAtMaxLogicalBorrows() {
        var clock = HybridLogicalClock()
        clock.receive(Timestamp(ms: 9_000, logical: Timestamp.maxLogical), physical: 100)
        #expect(clock.last == Timestamp(ms: 9_001, logical: 0))
    }

    @Test("Timestamps order by ms, then logical")
    func timestampOrder() {
        #expect(Timestamp(ms: 1, logical: 65_535) < Timestamp(ms: 2, logical: 0))
        #expect(Timestamp(ms: 2, logical: 0) < Timestamp(ms: 2, logical: 1))
    }

    @Test("A timestamp is {\"ms\", \"logical\"} on the wire")
    func timestampWireForm() throws {
        let data = try JSONEncoder().encode(Timestamp(ms: 1_763_906_400_000, logical: 3))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Int64])
        #expect(object == ["ms": 1_763_906_400_000, "logical": 3])
    }
}
