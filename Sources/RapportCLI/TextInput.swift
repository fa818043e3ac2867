import ArgumentParser
import Foundation
import RapportReplica
import RapportSync

/// Where a piece of free text comes from: `--text`, `--file`, or the user's `$EDITOR`.
struct TextInputOptions: ParsableArguments {
    @Option(help: "The text.") var text: String?
    @Option(help: "Read the text from a file ('-' for standard input).") var file: String?

    func validate() throws {
        if text != nil, file != nil { throw ValidationError("give --text or --file, not both") }
    }

    /// The text given, or what the user wrote in an editor starting from `template`.
    /// `stillWanted`: asked once the editor closes, as the text is judged (a sync may have run meanwhile); what
    /// it refuses keeps the file, so the writing is not lost with the refusal.
    func read(template: String = "", what: String, stillWanted: () throws -> Void = {}) throws -> String {
        if let text { try Self.checkControls(text, what: what); return text }
        if let file {
            // A file from Windows ends its lines with CR LF: stored so, every line of the note carried a CR.
            let read = Editor.storedText(try Self.readFile(file))
            try Self.checkControls(read, what: what)
            return read
        }
        return try Editor.edit(template, what: what) { try stillWanted(); try Self.checkControls($0, what: what) }
    }

    /// Refuses a control character a terminal would act on (`FieldSpec.strayControl`): an escape sequence in a
    /// note ("\u{1B}[2J") clears the screen of whoever reads it in a pipe, a file or a report, once synced.
    static func checkControls(_ text: String, what: String) throws {
        guard let control = FieldSpec.strayControl(in: text) else { return }
        throw ValidationError("the text of the \(what.split(separator: ",")[0]) holds \(FieldSpec.describe(control)), which garbles the terminal of whoever reads it: remove it; nothing was saved")
    }

    /// A file's text: a regular file whole, a pipe (`--file <(cmd)`, /dev/stdin, a FIFO, '-') or a device read to its
    /// end, but to no more than `limit` bytes (/dev/urandom never ends).
    static func readFile(_ path: String, limit: Int = LocalTransaction.maxTextBytes) throws -> String {
        let data: Data
        if path == "-" {
            data = try read(FileHandle.standardInput, named: "standard input", limit: limit)
        } else {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationError("cannot read \(path): there is no such file")
            }
            guard !isFolder.boolValue else { throw ValidationError("cannot read \(path): it is a folder, not a file") }
            // (stat follows a symbolic link to what it names.)
            var info = stat()
            let regular = stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            if regular {
                guard let read = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path): check its permissions") }
                data = read
            } else {
                guard FileManager.default.isReadableFile(atPath: path), let handle = FileHandle(forReadingAtPath: path) else {
                    throw ValidationError("cannot read \(path): check its permissions")
                }
                defer { try? handle.close() }
                data = try read(handle, named: path, limit: limit)
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            // Excel's "CSV" on Windows is Windows-1252, its "Unicode Text" UTF-16: both are common, neither is
            // UTF-8, and the bytes alone cannot say which of several 8-bit encodings a file is in.
            let utf16 = data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])
            let quoted = "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
            // (Excel's name for it only for a spreadsheet's file: a note's file named it to no purpose.)
            let excel = [".csv", ".tsv", ".txt"].contains(where: path.lowercased().hasSuffix) ? " (in Excel, \"CSV UTF-8\")" : ""
            throw ValidationError(
                "\(path) is not UTF-8 text\(utf16 ? " (it is UTF-16)" : ""): save it as UTF-8\(excel), or convert it, e.g. " +
                    "`iconv -f \(utf16 ? "UTF-16" : "WINDOWS-1252") -t UTF-8 \(quoted) > converted`")
        }
        return text
    }

    /// What a pipe or a device gives, to its end or to one byte past `limit` (refused); a read that fails is said,
    /// not taken for the end (a text cut short would be saved).
    static func read(_ handle: FileHandle, named name: String, limit: Int) throws -> Data {
        var data = Data()
        while data.count <= limit {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 65_536) } catch { throw ValidationError("cannot read \(name): \(error.localizedDescription); nothing was saved") }
            guard let chunk, !chunk.isEmpty else { return data }
            data.append(chunk)
        }
        throw ValidationError("cannot read \(name): it gives more than \(limit >= 1 << 30 ? "\(limit >> 30) GiB" : "the \(limit >> 20) MiB a text may hold") (a device that never ends?); give a file")
    }
}

/// The editor quit without a text to take: not a wrong value on the command line (`failed`, exit 1).
struct EditorFailed: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A check's refusal after which the text typed belongs to another command than the one that asked for it: a
/// conflict resolved by someone else while its merge was typed, where "give it back with --file" to the same
/// command failed with "already resolved" (QA). `command` takes it with --file; nil when none does yet.
struct TextGoesElsewhere: Error {
    let message: String
    let command: String?
}

enum Editor {
    /// A text from a file or an editor as stored: lines ended by "\n" (a Windows editor's or file's "\r\n" put a
    /// CR in every line), and nothing blank after its last line: an editor ends the file with a line end (vim and
    /// nano add one), as most tools do, and kept it showed as a blank line added in every diff and review.
    static func storedText(_ text: String) -> String {
        // By scalar: "\r\n" is one Character, which neither "\n" nor "\r" ends.
        var scalars = Substring(text.replacingOccurrences(of: "\r\n", with: "\n")).unicodeScalars
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }

    /// Opens `$VISUAL` or `$EDITOR` on a temporary file holding `initial` and returns what was saved.
    ///
    /// `check` judges the saved text: when it refuses it, the file is kept and the error names it, so that
    /// the work done in the editor is not lost with the refusal.
    static func edit(_ initial: String, what: String, check: (String) throws -> Void = { _ in }) throws -> String {
        let env = ProcessInfo.processInfo.environment
        guard let editor = [env["VISUAL"], env["EDITOR"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw ValidationError("no text given: pass --text or --file, or set $EDITOR to write the \(what) in an editor")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-\(UUID().uuidString).md")
        // Readable by its owner alone from the start: an account's notes are confidential, and the file may be kept
        // (below). Made new, never one that is there.
        let descriptor = open(url.path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let why = String(cString: strerror(errno))
            throw EditorFailed(message: "cannot make a file for the editor in \(FileManager.default.temporaryDirectory.path) (\(why)): check that folder (or $TMPDIR), or pass --text or --file")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do { try handle.write(contentsOf: Data(initial.utf8)); try handle.close() } catch {
            try? FileManager.default.removeItem(at: url)
            throw EditorFailed(message: "cannot write the file for the editor (\(url.path)): \(error.localizedDescription); pass --text or --file")
        }
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: url) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Through the shell, so that EDITOR may carry arguments ("code --wait").
        process.arguments = ["-c", "\(editor) \"$1\"", "rapport-editor", url.path]
        // Standard output piped (`--json | jq`): what the editor prints goes to the terminal on standard error,
        // not into the document a script reads.
        if isatty(STDOUT_FILENO) == 0 { process.standardOutput = FileHandle.standardError }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let status = process.terminationStatus
            // Quitting so is how an editor abandons an edit (vim's :cq); one that crashed may have saved the text
            // first, which is kept rather than deleted with the refusal (whatever the status: a script's last
            // command not found is 127 too).
            let written = (try? String(contentsOf: url, encoding: .utf8)) ?? initial
            if written != initial, !written.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                keep = true
                throw EditorFailed(message: "the editor (\(editor)) exited with status \(status), so nothing was saved; what it wrote is kept in \(url.path): give it with --file \(url.path) if it is wanted")
            }
            // The shell's own statuses: no such command, or one it cannot run.
            if status == 127 || status == 126 {
                throw EditorFailed(message: "the editor '\(editor)' (from $\(env["VISUAL"]?.isEmpty == false ? "VISUAL" : "EDITOR")) \(status == 127 ? "was not found" : "cannot be run"): " +
                    "set it to an installed editor (`export EDITOR=nano`), or pass --text or --file; nothing was saved")
            }
            throw EditorFailed(message: "the editor (\(editor)) exited with status \(status) (an edit abandoned, as vim's :cq does); nothing was saved")
        }
        var text = storedText(try String(contentsOf: url, encoding: .utf8))
        // Saved unchanged: the text as it was, whatever line end it had.
        if text == storedText(initial) { text = initial }
        do {
            try check(text)
        } catch {
            // An emptied file holds nothing to keep: pointing to it read as if something had been saved there. Nor
            // does one saved as it was given (a merge's template, refused for its markers): a file was left per try.
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, text != initial else { throw error }
            keep = true
            if let elsewhere = error as? TextGoesElsewhere {
                throw ValidationError("\(elsewhere.message)\nYour text is kept in \(url.path)" + (elsewhere.command.map { ": give it there with `\($0) --file \(url.path)`" } ?? "."))
            }
            throw ValidationError("\(error)\nYour text is kept in \(url.path): fix it there and give it back with --file \(url.path)")
        }
        return text
    }
}

/// Writing a command's output file (`export`, `report --out`), with what is wrong said in the user's terms
/// rather than Foundation's ("The operation could not be completed. (NSCocoaErrorDomain error 512.)").
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        guard !path.isEmpty else { throw ValidationError("give a file name to write to") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("cannot write \(path): it is a folder; give a file name inside it")
        }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path), !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("cannot write \(path): it is a link to \(target), which is not there; give the path of a file itself")
        }
        // Through a link, the file it names is written (replaced, the link would name the old text still).
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let data = Data(text.utf8)
        let kind = Self.kind(of: target)
        func failed(_ error: Error) -> ValidationError {
            ValidationError("cannot write \(path): \(error.localizedDescription) Check the folder's permissions and the free disk space.")
        }
        // A pipe, a terminal, /dev/stdout: a stream, written as it is (nothing there to check or to replace).
        if kind == .other {
            do { return try data.write(to: URL(fileURLWithPath: target)) } catch { throw failed(error) }
        }
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw ValidationError("cannot write \(path): there is no folder \(folder); create it first or write elsewhere")
        }
        guard isFolder.boolValue else { throw ValidationError("cannot write \(path): \(folder) is a file, not a folder; write elsewhere") }
        if kind == .file {
            guard access(target, W_OK) == 0 else { throw ValidationError("cannot write \(path): the file there is read-only; give another name, or make it writable") }
            guard access(target, R_OK) == 0 else {
                throw ValidationError("cannot write \(path): the file there cannot be read, so it is not known not to be a database (a replica); give another name")
            }
        }
        // A report or export written over a replica (`--out` given the database's name) destroyed it, and every
        // change not yet synced with it.
        if let database = database(at: target) {
            throw ValidationError("cannot write \(path): \(database == target ? "it is" : "it belongs to \(database), which is") an SQLite database (a Rapport replica " +
                                  "or server file, perhaps the one in use); nothing was written: give the output another name, e.g. report.html or accounts.csv")
        }
        // Whole or not at all: a disk that fills up leaves the file that was there, not half a report. One there
        // keeps its permissions; in a folder that takes no new file, one there is written in place.
        let mode = kind == .file ? (try? FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int) ?? nil : nil
        do {
            try data.write(to: URL(fileURLWithPath: target), options: .atomic)
            if let mode { try? FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target) }
        } catch {
            // Only where the folder takes no new file: a full disk's failure, written in place, emptied the file there.
            guard kind == .file, access(URL(fileURLWithPath: target).deletingLastPathComponent().path, W_OK) != 0 else { throw failed(error) }
            do { try data.write(to: URL(fileURLWithPath: target)) } catch { throw failed(error) }
        }
    }

    enum Kind { case none, file, other }

    /// What is at the path: nothing, a regular file, or something else (a pipe, a device), by `stat`, which
    /// opens nothing: opening a pipe to read it waits for a writer that never comes.
    static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .none }
        return info.st_mode & S_IFMT == S_IFREG ? .file : .other
    }

    /// The SQLite database that the file is, or whose journal, write-ahead log or shared memory it is.
    static func database(at path: String) -> String? {
        let base = ["-wal", "-shm", "-journal"].first(where: path.hasSuffix).map { String(path.dropLast($0.count)) } ?? path
        guard kind(of: base) == .file, let file = FileHandle(forReadingAtPath: base) else { return nil }
        defer { try? file.close() }
        let header = (try? file.read(upToCount: 16)) ?? Data()
        return header == Data("SQLite format 3\u{0}".utf8) ? base : nil
    }
}

/// What to add after saving a text that a sync may have met while it was being written: the edit stands as
/// a version, but in review beside the colleague's (`editText(seen:)`), which "Updated" alone did not say.
enum ReviewNotice {
    static func after(_ replica: Replica, entity: String, row: String, field: String) throws -> String? {
        guard let open = try replica.conflicts().first(where: { $0.key == FieldKey(entity: entity, row: row, field: field) }) else { return nil }
        return "A colleague's version of this text came in while you wrote yours: both wait for review (`rapport conflicts show \(open.id)`)."
    }
}
