/// A contract's renewal, listed ahead of its day so that it can be prepared.
public enum Renewal {
    /// How many days ahead `rapport due` lists a renewal unless told otherwise: a quarter, the time a renewal
    /// usually needs (the review of the year, the proposal, the customer's own approval).
    public static let defaultLead = 90

    /// Whether a renewal on `day` is listed `today` with `lead` days' notice. A day already past stays listed:
    /// the account still names a renewal that is over, and its next one is not recorded.
    public static func isListed(_ day: Day, today: Day, lead: Int = defaultLead) -> Bool {
        day <= today.adding(days: lead)
    }
}
