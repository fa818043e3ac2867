extension Schema {
    /// The protocol version this schema and these merge rules speak.
    public static let protocolVersion = 1

    /// Everything Rapport syncs. Adding a field here adds its replica column, its validation on the server
    /// and its `field=value` form on the command line.
    public static let rapport = Schema(entities: [
        EntitySpec(name: "account", table: "accounts", fields: [
            FieldSpec("name", .text, help: "The customer's name."),
            FieldSpec("industry", .text, help: "The customer's industry."),
            FieldSpec("owner", .text, help: "The manager who owns the account.").historyKept,
            // (A CRM's "Key Account" or "Strategic" tier, which an import gives.)
            FieldSpec("tier", .choice(["key", "standard"]), help: "key or standard.")
                .called(["key account": "key", "strategic": "key", "strategic account": "key", "standard account": "standard"]).historyKept,
            FieldSpec("revenue", .real(min: 0, max: nil), help: "Yearly revenue from the account (1.2m, 350k, 90000).").historyKept,
            FieldSpec("margin", .real(min: -100, max: 100), help: "Gross margin in percent."),
            FieldSpec("customer_since", .date, help: "When the account became a customer (YYYY-MM-DD)."),
            FieldSpec("next_renewal", .date, help: "The next contract renewal (YYYY-MM-DD).").historyKept,
            FieldSpec("archived", .bool, help: "Archived accounts are hidden from lists."),
            // Where a copy's records went: what an archived account says, and what a sync tells its owner.
            FieldSpec("merged_into", .reference(entity: "account"), help: "The account this one was merged into (set by `rapport account merge`, cleared when it is brought back)."),
        ]),
        EntitySpec(name: "note", table: "notes", fields: [
            FieldSpec("account", .reference(entity: "account"), help: "The account the note belongs to."),
            FieldSpec("title", .text, help: "A one-line title."),
            FieldSpec("kind", .choice(["account", "meeting", "stakeholder"]), help: "What the note is about."),
            FieldSpec("created_at", .dateTime, help: "When the note was written."),
            .reviewed("body", help: "The note's text; concurrent edits go to review."),
        ]),
    ] + Schema.keyAccountEntities)
}
