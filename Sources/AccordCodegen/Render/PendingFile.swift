/// A file still to be rendered: pieces of text that can be rendered side by side and are joined in
/// order. A large file (the models of a big spec) is several pieces, so no one file holds up the rest.
struct PendingFile: Sendable {
    /// When the file's pieces are started among all of them: the long ones first (`.early`), so the
    /// last to finish is a short one.
    enum Start: Int, Sendable {
        case first, early, late
    }

    let name: String
    let start: Start
    let pieces: [@Sendable () -> String]

    init(_ name: String, start: Start = .late, pieces: [@Sendable () -> String]) {
        self.name = name
        self.start = start
        self.pieces = pieces
    }

    init(_ name: String, start: Start = .late, _ render: @escaping @Sendable () -> String) {
        self.init(name, start: start, pieces: [render])
    }

    /// Text that is already known (the embedded runtime).
    init(_ name: String, text: String) {
        self.init(name, pieces: [{ text }])
    }
}
