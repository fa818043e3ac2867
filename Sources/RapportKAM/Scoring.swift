/// A selection criterion as the team weighs it.
public struct Criterion: Hashable, Sendable {
    public var id: String
    public var name: String
    public var weight: Double

    public init(id: String, name: String, weight: Double) {
        self.id = id
        self.name = name
        self.weight = weight
    }
}

/// One account's scores, 1-10, by criterion id.
public struct AccountScores: Hashable, Sendable {
    public var accountID: String
    public var name: String
    public var scores: [String: Int]

    public init(accountID: String, name: String, scores: [String: Int]) {
        self.accountID = accountID
        self.name = name
        self.scores = scores
    }
}

/// Where the key accounts stop: the best N, or everyone at or above a weighted score.
public enum CutOff: Hashable, Sendable {
    case top(Int)
    case threshold(Double)
}

/// One row of the ranked scoring matrix.
public struct RankedAccount: Hashable, Sendable {
    public var account: AccountScores
    /// The weighted score on the 1-10 scale (0 when nothing is scored).
    public var weighted: Double
    /// How many of the criteria have a score.
    public var scored: Int
    /// 1 for the best; accounts with equal weighted scores share a rank (1, 2, 2, 4).
    public var rank: Int
    /// Whether the cut-off proposes it as a key account.
    public var proposedKey: Bool
}

/// Why a weight, a score or a cut-off was refused.
public enum ScoringError: Error, Equatable, CustomStringConvertible {
    case weight(Double)
    case score(Int)
    case top(Int)
    case threshold(Double)
    case noCriteria

    public var description: String {
        switch self {
        case .weight(let w):
            "a weight of \(w.rounded() == w && abs(w) < 1e15 ? String(Int(w)) : "\(w)") makes no sense: give a number above 0 and at most 100 (weights are relative: 40/30/30 ranks like 4/3/3)"
        case .score(let v):
            "a score of \(v) is out of range: score each criterion from 1 (poor) to 10 (excellent)"
        case .top(let n):
            "--top \(n) makes no sense: give how many accounts to propose, 1 or more"
        case .threshold(let x) where !x.isFinite:
            // Swift reads 1e400 as infinity: echoing "inf" named a value nobody typed.
            "--threshold is out of range: give a weighted score above 0 and at most 10"
        case .threshold(let x):
            // As typed: -1, not -1.0.
            "--threshold \(x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)) makes no sense: give a weighted score above 0 and at most 10"
        case .noCriteria:
            "no selection criteria yet: add 3-5 with `rapport criteria add NAME --weight W`"
        }
    }
}

/// The key-account scoring matrix: each account scored 1-10 per criterion, weighted, ranked.
public enum ScoringMatrix {
    public static let scoreRange = 1...10

    public static func check(weight: Double) throws(ScoringError) {
        guard weight.isFinite, weight > 0, weight <= 100 else { throw .weight(weight) }
    }

    public static func check(score: Int) throws(ScoringError) {
        guard scoreRange.contains(score) else { throw .score(score) }
    }

    public static func check(_ cutOff: CutOff) throws(ScoringError) {
        switch cutOff {
        case .top(let n): guard n >= 1 else { throw .top(n) }
        // Above 0, not 1: an account scored on some criteria only is weighted below 1 (the others count as 0), and
        // the table shows it so; a threshold of 0.5 is one its reader may give.
        case .threshold(let x): guard x.isFinite, x > 0, x <= 10 else { throw .threshold(x) }
        }
    }

    /// Σ(weight × score) / Σ(weight) over the criteria. A criterion the account has no score on counts as 0,
    /// so an unscored account cannot rank above a scored one by omission.
    ///
    /// Rounded to the two decimals every output shows, half away from zero, so that what is ranked and held
    /// against `--threshold` is what people read: 57/8 showed as 7.12 in the table, 7.13 in `--json`, and fell
    /// below `--threshold 7.13`. (First to nine decimals, so that a sum's binary noise, 7.12499999..., does
    /// not decide the second.)
    public static func weightedScore(_ scores: [String: Int], criteria: [Criterion]) -> Double {
        let totalWeight = criteria.reduce(0) { $0 + $1.weight }
        guard totalWeight > 0 else { return 0 }
        let sum = criteria.reduce(0.0) { $0 + $1.weight * Double(scores[$1.id] ?? 0) }
        let exact = (sum / totalWeight * 1e9).rounded() / 1e9
        return (exact * 100).rounded() / 100
    }

    /// Each weight's share of their sum in whole percents that add up to 100 (none when the sum is 0): three equal
    /// weights showed 33% each, 99% in all. The largest remainders get the points rounding down left over, the
    /// first of equal ones first.
    public static func wholeShares(_ weights: [Double]) -> [Int] {
        let total = weights.reduce(0, +)
        guard total > 0 else { return weights.map { _ in 0 } }
        let exact = weights.map { $0 / total * 100 }
        var shares = exact.map { Int($0.rounded(.down)) }
        let byRemainder = exact.indices.sorted { (exact[$0] - Double(shares[$0]), $1) > (exact[$1] - Double(shares[$1]), $0) }
        for i in byRemainder.prefix(100 - shares.reduce(0, +)) { shares[i] += 1 }
        return shares
    }

    /// Every account ranked by weighted score, best first; equal scores share a rank and are listed by name.
    /// With a cut-off, `.top(n)` proposes the accounts ranked n or better (ties at the cut are all in), and
    /// `.threshold(x)` those whose weighted score is at least x. An account scored on no criterion is never
    /// proposed: with fewer scored accounts than n, `--top` proposed every unscored one, tied at 0.
    public static func rank(_ accounts: [AccountScores], criteria: [Criterion], cutOff: CutOff? = nil) -> [RankedAccount] {
        let ids = Set(criteria.map(\.id))
        struct Row { var account: AccountScores; var weighted: Double; var scored: Int }
        let rows = accounts.map { a -> Row in
            // Rounded so that sums computed in a different order still compare equal.
            let weighted = weightedScore(a.scores, criteria: criteria)
            return Row(account: a, weighted: weighted, scored: a.scores.keys.filter(ids.contains).count)
        }
        let scored = rows.sorted { l, r in
            if l.weighted != r.weighted { return l.weighted > r.weighted }
            let ln = l.account.name.lowercased(), rn = r.account.name.lowercased()
            return ln != rn ? ln < rn : l.account.accountID < r.account.accountID
        }.map { ($0.account, $0.weighted, $0.scored) }
        var ranked: [RankedAccount] = []
        for (index, (account, weighted, count)) in scored.enumerated() {
            let rank = index > 0 && ranked[index - 1].weighted == weighted ? ranked[index - 1].rank : index + 1
            let cut: Bool = switch cutOff {
            case .top(let n): rank <= n
            case .threshold(let x): weighted >= x
            case nil: false
            }
            ranked.append(RankedAccount(account: account, weighted: weighted, scored: count, rank: rank, proposedKey: count > 0 && cut))
        }
        return ranked
    }
}
