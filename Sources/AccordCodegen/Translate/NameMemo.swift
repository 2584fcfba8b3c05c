/// Names made from wire names, made once each: a large spec repeats the same member names and enum
/// values thousands of times (Stripe: `id`, `object`, `created`…), and naming was a third of translating.
struct NameMemo {
    private var camelCased: [String: String] = [:]
    private var typeNamed: [String: String] = [:]

    /// `Naming.camelCase`, remembered.
    mutating func camelCase(_ text: String) -> String {
        if let made = camelCased[text] { return made }
        let made = Naming.camelCase(text)
        camelCased[text] = made
        return made
    }

    /// `Naming.typeName`, remembered.
    mutating func typeName(_ text: String) -> String {
        if let made = typeNamed[text] { return made }
        let made = Naming.typeName(text)
        typeNamed[text] = made
        return made
    }
}
