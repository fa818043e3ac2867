import Foundation
import GRDB

/// What SQLite could not do with a database file's folder and files, said with the files.
public enum SQLiteFiles {
    /// Removes the files among `paths` that an open which failed made: those still empty, and a -shm (an index of
    /// a log no connection holds). Folders and files with content are left as they are.
    public static func removeMade(_ paths: [String]) {
        for path in paths {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), attributes[.type] as? FileAttributeType == .typeRegular,
                  path.hasSuffix("-shm") || (attributes[.size] as? NSNumber)?.intValue == 0 else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// SQLite's words, with the files it could not write when that was the trouble, and what to do; nil when
    /// it was something else. SQLite gives its -wal and -shm files the database's permissions, so a file once
    /// read-only leaves a read-only -shm behind, and made writable again it still failed with the same words,
    /// naming no file. `whose` names the files in the advice ("the replica's", "the server database's").
    public static func unwritable(_ error: DatabaseError, path: String, whose: String) -> (reason: String, advice: String?)? {
        let said = error.message ?? "\(error)"
        // A folder where SQLite keeps its log beside the file: no permission or disk space is the trouble.
        let folders = [path + "-wal", path + "-shm"].filter { var folder: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &folder) && folder.boolValue }
        if !folders.isEmpty {
            return ("\(said): \(folders.joined(separator: " and ")) \(folders.count == 1 ? "is a folder" : "are folders") where SQLite keeps \(whose) write-ahead log" +
                    (folders.contains { $0.hasSuffix("-shm") } ? " and its index" : ""),
                    "remove \(folders.count == 1 ? "it" : "them")")
        }
        guard [.SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_IOERR].contains(error.resultCode.primaryResultCode) || said.contains("readonly") else { return nil }
        let folder = (path as NSString).deletingLastPathComponent
        let files = [path, path + "-wal", path + "-shm"].filter { FileManager.default.fileExists(atPath: $0) && access($0, W_OK) != 0 }
        let folderPath = folder.isEmpty ? "." : folder
        let shut = access(folderPath, W_OK) != 0 ? ["the folder \(folderPath)"] : []
        guard !(files + shut).isEmpty else { return nil }
        let one = files.count + shut.count == 1
        // `chmod` is only its owner's to run: of another user's file or folder, that advice failed too.
        let others = (files + (shut.isEmpty ? [] : [folderPath])).contains { path in
            ((try? FileManager.default.attributesOfItem(atPath: path)[.ownerAccountID]) as? NSNumber).map { $0.uint32Value != getuid() } ?? false
        }
        let advice = others
            ? "\(one ? "it belongs" : "some belong") to another user: run rapport as that user, or copy \(whose) files into a folder of yours and give that path"
            : "`chmod u+w` \(one ? "it" : "them")"
        let all = files + shut
        let listed = all.count < 3 ? all.joined(separator: " and ") : all.dropLast().joined(separator: ", ") + " and " + all.last!
        return ("\(said): \(listed) \(one ? "is" : "are") not writable", advice)
    }
}
