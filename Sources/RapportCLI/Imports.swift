import RapportSync

/// Foundation has an `Operation` too; here the word means a sync operation.
typealias Operation = RapportSync.Operation
