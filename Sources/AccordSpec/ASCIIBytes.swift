/// ASCII classes of UTF-8 bytes, for the checks done by hand where a regular expression's engine
/// costs more to start than the work (names, catalog codes, keys the spec readers cut at).
extension UInt8 {
    package var isASCIILetter: Bool { (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") }
    package var isASCIIUppercase: Bool { self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") }
    package var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    /// Foundation's `whitespacesAndNewlines` and `Character.isWhitespace`, in ASCII.
    package var isASCIIWhitespace: Bool { self == 0x20 || (self >= 0x09 && self <= 0x0D) }
    /// `[A-Za-z0-9_]`
    package var isASCIIWordByte: Bool { isASCIILetter || isASCIIDigit || self == UInt8(ascii: "_") }
}
