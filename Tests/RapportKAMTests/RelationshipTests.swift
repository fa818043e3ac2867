import RapportKAM
import Testing

@Suite struct RelationshipTests {
    let today = Day("2026-05-31")!

    @Test func singleThreadWarnings() {
        let dm = Contact(id: "1", name: "Dana", role: .decisionMaker)
        let user = Contact(id: "2", name: "Uma", role: .user)
        let influencer = Contact(id: "3", name: "Ian", role: .influencer)
        #expect(RelationshipMap.warnings([]) == [.noContacts])
        #expect(RelationshipMap.warnings([dm]) == [.singleContact])
        #expect(RelationshipMap.warnings([user]) == [.singleContact, .noDecisionMaker])
        #expect(RelationshipMap.warnings([user, influencer]) == [.noDecisionMaker])
        #expect(RelationshipMap.warnings([dm, user]) == [])
    }

    @Test func contactsGoColdAfterThirtyDaysOrIfNeverContacted() {
        let thirty = Contact(id: "1", name: "A", lastContact: Day("2026-05-01")!)   // 30 days before the 31st
        let thirtyOne = Contact(id: "2", name: "B", lastContact: Day("2026-04-30")!)
        let never = Contact(id: "3", name: "C")
        #expect(RelationshipMap.coldContacts([thirty, thirtyOne, never], today: today).map(\.name) == ["B", "C"])
        #expect(RelationshipMap.coldContacts([thirtyOne], today: today, coldAfterDays: 31).isEmpty)
        // Seen from before the contact (a past month's scorecard): the contact before it is unknown.
        let later = Contact(id: "4", name: "D", lastContact: Day("2026-06-10")!)
        #expect(RelationshipMap.isCold(later, today: today))
    }

    /// "No contact for over 30 days" was said of people never spoken to as well.
    @Test func theColdWarningNamesThoseNeverContactedApart() {
        let lapsed = [Contact(id: "1", name: "Bo", lastContact: Day("2026-04-01")!), Contact(id: "2", name: "Al", lastContact: Day("2026-03-01")!)]
        let never = [Contact(id: "3", name: "Cy")]
        #expect(RelationshipMap.coldWarning([], coldAfterDays: 30) == nil)
        #expect(RelationshipMap.coldWarning(lapsed, coldAfterDays: 30) == "gone cold (no contact for over 30 days): Bo, Al")
        #expect(RelationshipMap.coldWarning(never, coldAfterDays: 30) == "never contacted: Cy")
        #expect(RelationshipMap.coldWarning(lapsed, coldAfterDays: 1) == "gone cold (no contact for over 1 day): Bo, Al")
        #expect(RelationshipMap.coldWarning(never + lapsed, coldAfterDays: 45) == "gone cold (no contact for over 45 days): Bo, Al; never contacted: Cy")
    }

    @Test func mapGroupsByRoleInDecisionOrder() {
        let contacts = [
            Contact(id: "1", name: "Zoe", role: .user), Contact(id: "2", name: "Nobody"),
            Contact(id: "3", name: "Bea", role: .blocker), Contact(id: "4", name: "Dan", role: .decisionMaker),
            Contact(id: "5", name: "Amy", role: .user),
        ]
        let groups = RelationshipMap.grouped(contacts)
        #expect(groups.map(\.role) == [.decisionMaker, .user, .blocker, nil])
        #expect(groups[1].contacts.map(\.name) == ["Amy", "Zoe"])
    }
}
