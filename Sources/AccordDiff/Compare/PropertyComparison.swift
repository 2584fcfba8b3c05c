import AccordCodegen
import AccordSpec

extension Comparison {
    /// Compares the members of two objects (after `allOf` is merged).
    mutating func compareObject(
        _ x: ObjectSchema, _ y: ObjectSchema, _ direction: Direction, at place: Place,
        swift: (SwiftPlace, SwiftPlace), what: String
    ) {
        let oldType = swift.0.declaration(in: base.surface), newType = swift.1.declaration(in: revision.surface)
        let owner = newType?.name ?? oldType?.name
        func member(_ name: String) -> String { owner.map { "`\(name)` of `\($0)`" } ?? "`\(name)` of \(what)" }

        for p in x.properties {
            let at = place.appending("properties", p.name)
            let oldProperty = oldType?.property(wireName: p.name)
            guard let q = y.properties.first(where: { $0.name == p.name }) else {
                switch direction {
                case .request:
                    let closed = if case .forbidden = y.additionalProperties { true } else { false }
                    emit(
                        closed ? "request-property-removed-closed" : "request-property-removed", at: at,
                        "request member \(member(p.name)) is gone", base: p.location, revision: nil)
                case .response:
                    let required = oldProperty?.isRequiredWhenDecoding ?? (p.isRequired && !isNullable(p.schema, base))
                    emit(
                        required ? "response-required-property-removed" : "response-optional-property-removed", at: at,
                        "response member \(member(p.name)) is gone" + (required ? " (the old client requires it)" : ""),
                        base: p.location, revision: nil)
                }
                continue
            }
            let newProperty = newType?.property(wireName: q.name)
            if let oldProperty, let newProperty, oldProperty.name != newProperty.name {
                emit(
                    "property-renamed", at: at,
                    "property `\(oldProperty.name)` is now `\(newProperty.name)` (wire `\(q.name)`)",
                    base: p.location, revision: q.location)
            }
            let swiftChanged =
                !Self.sameSwiftShape(oldProperty?.type, newProperty?.type)
                || (newProperty?.isRequiredInInitializer == true && oldProperty?.isRequiredInInitializer == false)
            let wasNullable = isNullable(p.schema, base), isNowNullable = isNullable(q.schema, revision)
            switch direction {
            case .request:
                if !p.isRequired && q.isRequired {
                    emit(
                        "request-property-became-required", at: at, "request member \(member(q.name)) is now required",
                        base: p.location, revision: q.location, swiftChanged: swiftChanged)
                } else if p.isRequired && !q.isRequired {
                    emit(
                        "request-property-became-optional", at: at, "request member \(member(q.name)) is now optional",
                        base: p.location, revision: q.location, swiftChanged: swiftChanged)
                }
                if wasNullable != isNowNullable {
                    emit(
                        isNowNullable ? "request-became-nullable" : "request-became-non-nullable", at: at,
                        "request member \(member(q.name)) \(isNowNullable ? "now accepts" : "no longer accepts") null",
                        base: p.location, revision: q.location, swiftChanged: swiftChanged)
                }
            case .response:
                let oldRequired = oldProperty?.isRequiredWhenDecoding ?? (p.isRequired && !wasNullable)
                if p.isRequired && !q.isRequired {
                    emit(
                        oldRequired ? "response-property-became-optional" : "response-nullable-became-optional", at: at,
                        "response member \(member(q.name)) is now optional"
                            + (oldRequired ? " (the old client requires it)" : ""),
                        base: p.location, revision: q.location, swiftChanged: swiftChanged)
                } else if oldRequired && isNowNullable {
                    emit(
                        "response-required-became-nullable", at: at,
                        "response member \(member(q.name)) may now be null (the old client requires a value)",
                        base: p.location, revision: q.location, swiftChanged: swiftChanged)
                } else if !p.isRequired && !wasNullable && isNowNullable {
                    emit(
                        "response-optional-became-nullable", at: at,
                        "optional response member \(member(q.name)) may now be null",
                        base: p.location, revision: q.location, swiftChanged: swiftChanged)
                } else if (!p.isRequired && q.isRequired) || (wasNullable && !isNowNullable) {
                    emit(
                        "response-became-required", at: at,
                        "response member \(member(q.name)) is now "
                            + (wasNullable && !isNowNullable ? "never null" : "always present"),
                        base: p.location, revision: q.location, swiftChanged: swiftChanged)
                }
            }
            if !p.schema.isDeprecated && q.schema.isDeprecated {
                emit(
                    "deprecated", at: at, "member \(member(q.name)) is deprecated", base: p.location,
                    revision: q.location)
            }
            compareValue(
                p.schema, q.schema, direction, at: at,
                swift: (
                    SwiftPlace(type: oldProperty?.type, scope: oldType?.name),
                    SwiftPlace(type: newProperty?.type, scope: newType?.name)
                ),
                what: "member \(member(q.name))", nullabilityJudged: true)
        }
        for q in y.properties where !x.properties.contains(where: { $0.name == q.name }) {
            let at = place.appending("properties", q.name)
            let newProperty = newType?.property(wireName: q.name)
            switch direction {
            case .request:
                emit(
                    q.isRequired ? "request-property-added-required" : "request-property-added-optional", at: at,
                    "\(q.isRequired ? "required" : "optional") request member \(member(q.name)) is new",
                    base: nil, revision: q.location)
            case .response:
                let initChanged = newProperty?.isRequiredInInitializer ?? q.isRequired
                emit(
                    "response-property-added", at: at,
                    "response member \(member(q.name)) is new"
                        + (initChanged ? " (a new initializer argument without a default)" : ""),
                    base: nil, revision: q.location, swiftChanged: initChanged)
            }
        }
    }

    func isNullable(_ schema: Schema, _ side: Side) -> Bool {
        schema.isNullable || side.resolved(schema).isNullable
    }
}
