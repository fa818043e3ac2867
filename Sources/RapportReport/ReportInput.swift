import RapportKAM

/// Everything an account report draws on, read from the replica by the command line.
public struct ReportInput: Sendable {
    public struct Account: Sendable {
        public var name: String
        public var owner: String
        public var tier: String
        public var industry: String
        public var revenue: Double?
        public var nextRenewal: Day?
        /// The day it became a key account, when known: the meeting rhythm begins then (`Cadence.dueMeetings`).
        public var keySince: Day?
        /// Archived (or merged into another account): off the lists, and the review says so.
        public var archived = false

        public init(name: String, owner: String = "", tier: String = "", industry: String = "", revenue: Double? = nil, nextRenewal: Day? = nil,
                    keySince: Day? = nil) {
            self.name = name
            self.owner = owner
            self.tier = tier
            self.industry = industry
            self.revenue = revenue
            self.nextRenewal = nextRenewal
            self.keySince = keySince
        }
    }

    public struct Goal: Sendable {
        public var outcome: String
        public var due: Day?
        public var status: String
        public init(outcome: String, due: Day? = nil, status: String = "open") {
            self.outcome = outcome
            self.due = due
            self.status = status
        }
    }

    public struct KPIEntry: Sendable {
        public var kpi: KPI
        public var cadence: String
        /// Why it moved: the KPI's reviewed notes.
        public var notes: String
        public init(kpi: KPI, cadence: String = "", notes: String = "") {
            self.kpi = kpi
            self.cadence = cadence
            self.notes = notes
        }
    }

    public struct Meeting: Sendable {
        public var kind: MeetingKind
        public var date: Day
        public var attendees: String
        public var notes: String
        public init(kind: MeetingKind, date: Day, attendees: String = "", notes: String = "") {
            self.kind = kind
            self.date = date
            self.attendees = attendees
            self.notes = notes
        }
    }

    public struct ConcernEntry: Sendable {
        public var concern: Concern
        public var texts: [ConcernStep: String]
        public var commitDue: Day?
        public init(concern: Concern, texts: [ConcernStep: String] = [:], commitDue: Day? = nil) {
            self.concern = concern
            self.texts = texts
            self.commitDue = commitDue
        }
    }

    public struct Flag: Sendable {
        public var flag: RiskFlag
        public var kind: String
        public var notes: String
        public var closedOn: Day?
        public init(flag: RiskFlag, kind: String, notes: String = "", closedOn: Day? = nil) {
            self.flag = flag
            self.kind = kind
            self.notes = notes
            self.closedOn = closedOn
        }

        /// Closed within `period`, by `end` (a flag raised and closed within a review's period was in none).
        func closed(in period: Period, by end: Day) -> Bool {
            flag.status == "closed" && (closedOn.map { $0 >= period.start && $0 <= end } ?? false)
        }
    }

    public struct PlanRisk: Sendable {
        public var kind: String
        public var title: String
        public var owner: String
        public var status: String
        public var notes: String
        public init(kind: String, title: String, owner: String = "", status: String = "open", notes: String = "") {
            self.kind = kind
            self.title = title
            self.owner = owner
            self.status = status
            self.notes = notes
        }
    }

    /// A note written about the account (`rapport note add`).
    public struct Note: Sendable {
        public var title: String
        /// account, meeting or stakeholder: what it is about.
        public var kind: String
        public var written: Day
        /// Its text, without the first line when the title was taken from it (as `note add` takes it).
        public var text: String
        public init(title: String, kind: String = "account", written: Day, text: String) {
            self.title = title
            self.kind = kind
            self.written = written
            self.text = text
        }
    }

    public struct Stakeholder: Sendable {
        public var contact: Contact
        public var title: String
        public init(contact: Contact, title: String = "") {
            self.contact = contact
            self.title = title
        }
    }

    public var account: Account
    public var period: Period
    public var today: Day
    /// The day the report was made, when that is not `today` (a review viewed `--as-of` an earlier day).
    public var generated: Day?
    public var goals: [Goal] = []
    public var kpis: [KPIEntry] = []
    public var meetings: [Meeting] = []
    public var actions: [ActionItem] = []
    public var concerns: [ConcernEntry] = []
    public var flags: [Flag] = []
    public var planRisks: [PlanRisk] = []
    public var stakeholders: [Stakeholder] = []
    public var notes: [Note] = []
    public var opportunities: [(opportunity: Opportunity, kind: String)] = []
    /// The scorecard as of the period's end, and the months before it.
    public var scorecard: Scorecard
    /// For the month under way recorded before its end: its figures as of the report's day, given beside the
    /// recorded ones, which stand for the month until it is recorded again.
    public var scorecardNow: Scorecard?
    /// The day the scorecard was computed as of, when that is not its month's end (a period ending mid-month, or
    /// the month under way): its figures are of that day, not of the month.
    public var scorecardAsOf: Day?
    public var history: [Scorecard] = []
    public var coldAfterDays = RelationshipMap.defaultColdAfterDays

    public init(account: Account, period: Period, today: Day, scorecard: Scorecard) {
        self.account = account
        self.period = period
        self.today = today
        self.scorecard = scorecard
    }
}
