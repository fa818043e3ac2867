/// The rule for scalar fields: of all operations on a field, the one last in timestamp order wins.
public enum LastWriterWins {
    /// Whether `incoming` replaces the current winner.
    public static func wins(_ incoming: Operation, over current: Operation?) -> Bool {
        guard let current else { return true }
        return Operation.isOrdered(current, before: incoming)
    }
}
