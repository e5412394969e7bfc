extension Character {
    // Profile names, channel names and numbers are ASCII only: a Cyrillic "а" or an Arabic
    // digit that looks right on screen must still be refused.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIILowerLetter: Bool { ("a"..."z").contains(self) }
}
