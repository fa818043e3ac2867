import RapportSync

/// Foundation has an `Operation` too; in this module the word means a sync operation.
public typealias Operation = RapportSync.Operation
