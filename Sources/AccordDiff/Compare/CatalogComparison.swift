import AccordSpec

extension Comparison {
    /// The error catalog is part of the contract: installed apps switch on its codes and show its messages.
    mutating func compareCatalog() {
        let oldEntries = base.document.errorCatalog?.entries ?? [],
            newEntries = revision.document.errorCatalog?.entries ?? []
        let catalogPointer =
            revision.document.errorCatalog.map {
                Place(operation: nil, pointer: "").appending(contentsOf: $0.schemaKey.pointer)
            }
            ?? Place(operation: nil, pointer: "")
        let place = catalogPointer.appending("x-error-catalog")
        let oldBase = base.document.errorCatalog?.typeBase, newBase = revision.document.errorCatalog?.typeBase
        if oldBase != newBase, base.document.errorCatalog != nil, revision.document.errorCatalog != nil {
            emit(
                "error-type-base-changed", at: catalogPointer.appending("x-error-type-base"),
                "problem `type` URIs start with \(newBase.map { "`\($0)`" } ?? "the default"), "
                    + "was \(oldBase.map { "`\($0)`" } ?? "the default")",
                base: base.document.errorCatalog.flatMap { Self.catalogLocation($0) },
                revision: revision.document.errorCatalog.flatMap { Self.catalogLocation($0) })
        }
        let oldCases = base.surface.errorCodeCases, newCases = revision.surface.errorCodeCases
        let typeName = revision.surface.errorCodeType ?? base.surface.errorCodeType ?? "ErrorCode"
        for old in oldEntries {
            let at = place.appending(old.code)
            guard let new = newEntries.first(where: { $0.code == old.code }) else {
                emit(
                    "error-code-removed", at: at,
                    "error code `\(old.code)` (`\(typeName).\(oldCases[old.code] ?? "?")`) is gone",
                    base: old.location, revision: nil)
                continue
            }
            if old.status != new.status {
                emit(
                    "error-code-status-changed", at: at,
                    "error code `\(new.code)` is answered with \(new.status), was \(old.status)",
                    base: old.location, revision: new.location)
            }
            if old.isRetryable && !new.isRetryable {
                emit(
                    "error-code-no-longer-retryable", at: at, "error code `\(new.code)` is no longer retryable",
                    base: old.location, revision: new.location)
            } else if !old.isRetryable && new.isRetryable {
                emit(
                    "error-code-now-retryable", at: at, "error code `\(new.code)` is now retryable",
                    base: old.location, revision: new.location)
            }
            var changed: [String] = []
            if old.message != new.message { changed.append("user message") }
            if old.title != new.title { changed.append("title") }
            if !changed.isEmpty {
                // The String Catalog (docs/Localizable.xcstrings) keys each message `error.<CODE>`.
                emit(
                    "error-code-message-changed", at: at,
                    "error code `\(new.code)`: \(changed.joined(separator: " and ")) changed; "
                        + "update localization key `error.\(new.code)`",
                    base: old.location, revision: new.location)
            }
        }
        for new in newEntries where !oldEntries.contains(where: { $0.code == new.code }) {
            emit(
                "error-code-added", at: place.appending(new.code),
                "error code `\(new.code)` (`\(typeName).\(newCases[new.code] ?? "?")`) is new", base: nil,
                revision: new.location)
        }
    }

    private static func catalogLocation(_ catalog: ErrorCatalog) -> SourceLocation? { catalog.entries.first?.location }
}
