/// Slips common in specs written by hand, accepted with a warning the way the most-used
/// generator (openapi-generator, through swagger-parser) reads them, so that such a spec
/// still generates.
extension DocumentReader {
    /// `parameters:` with nothing after it: YAML reads the value as null. Read as if the field
    /// were left out (no parameters, no properties…), with a warning where it is written.
    mutating func isNoValueSlip(_ node: SpecNode, _ field: String) -> Bool {
        guard node.isNull else { return false }
        warnNoValue(field, at: node.location, readAs: "read as if it were left out")
        return true
    }

    mutating func warnNoValue(_ field: String, at location: SourceLocation, readAs reading: String) {
        log.warning(
            "'\(field)' has no value (YAML reads an empty or bare null value as null); \(reading)",
            at: location)
    }

    /// `type: [array, null]`: a bare `null` in YAML is no value rather than the string "null";
    /// the author meant the type. Read as `"null"`, with a warning to quote it.
    mutating func readTypeList(_ entries: [SpecNode], at location: SourceLocation) -> [String] {
        var types: [String] = []
        var hasNonString = false
        for entry in entries {
            if let name = entry.string {
                types.append(name)
            } else if entry.isNull {
                log.warning(
                    """
                    a bare null in 'type' is YAML's null, not the type name; read as "null" \
                    (write 'null' in quotes)
                    """, at: entry.location)
                types.append("null")
            } else {
                hasNonString = true
            }
        }
        if hasNonString { log.error("'type' entries must be strings", at: location) }
        return types
    }
}
