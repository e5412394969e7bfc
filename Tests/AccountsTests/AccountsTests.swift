import Accounts
import Foundation
import Store
import Testing

/// Passwords (bcrypt at cost 4, the lowest it takes, so the suite stays quick), the password and
/// name rules, and API tokens, over a real in-memory store.
@Suite struct AccountsTests {
    let store: StoreDatabase
    let accounts: Accounts

    init() throws {
        store = try StoreDatabase.inMemory()
        accounts = Accounts(store: store, cost: 4)
    }

    @Test func theRightPasswordVerifiesAndOnlyItsHashIsStored() throws {
        let added = try accounts.add(name: "a.petrova", role: .instructor, password: "correct horse battery")
        #expect(added.role == .instructor)
        let stored = try #require(try store.user(named: "a.petrova"))
        #expect(stored.passwordHash.hasPrefix("$2"))
        #expect(!stored.passwordHash.contains("correct horse"))
        #expect(try accounts.verify(name: "a.petrova", password: "correct horse battery") == stored)
    }

    @Test func aWrongPasswordAnUnknownUserAndAUserWithoutPasswordAreRefused() throws {
        try accounts.add(name: "ann", role: .admin, password: "correct horse battery")
        #expect(try accounts.verify(name: "ann", password: "correct horse batterY") == nil)
        #expect(try accounts.verify(name: "ann", password: "") == nil)
        #expect(try accounts.verify(name: "nobody", password: "correct horse battery") == nil)
        try store.addUser(name: "legacy", role: .technician, passwordHash: "")
        #expect(try accounts.verify(name: "legacy", password: "") == nil)
    }

    @Test func changingThePasswordReplacesTheOldOne() throws {
        try accounts.add(name: "ann", role: .admin, password: "first password")
        try accounts.changePassword(name: "ann", password: "second password")
        #expect(try accounts.verify(name: "ann", password: "first password") == nil)
        #expect(try accounts.verify(name: "ann", password: "second password")?.name == "ann")
        #expect(throws: AccountError.store(.unknownUser("bob", known: ["ann"]))) {
            try accounts.changePassword(name: "bob", password: "second password")
        }
    }

    @Test func passwordAndNameRulesSayWhatToDo() throws {
        #expect(throws: AccountError.passwordTooShort(minimum: 10)) { try accounts.add(name: "ann", role: .admin, password: "short") }
        #expect(throws: AccountError.passwordIsName) { try accounts.add(name: "Administrator", role: .admin, password: "administrator") }
        #expect(throws: AccountError.passwordTooLong(maximumBytes: 72)) {
            try accounts.add(name: "ann", role: .admin, password: String(repeating: "ж", count: 37))
        }
        for bad in ["", "has space", "semi;colon", String(repeating: "a", count: 65)] {
            #expect(throws: AccountError.invalidName(bad)) { try accounts.add(name: bad, role: .admin, password: "correct horse battery") }
        }
        try Accounts.checkName("Иванов_И.И-2")
        #expect(try store.userCount() == 0)  // nothing broken was stored
        #expect(AccountError.passwordTooShort(minimum: 10).description.contains("at least 10 characters"))

        try accounts.add(name: "ann", role: .admin, password: "correct horse battery")
        #expect(throws: AccountError.store(.userNameTaken("ann"))) { try accounts.add(name: "ann", role: .technician, password: "another password") }
    }

    @Test func aTokenRoundTripsAndOnlyItsSHA256IsStored() throws {
        let ann = try accounts.add(name: "ann", role: .admin, password: "correct horse battery")
        let token = try accounts.issueToken(for: "ann")
        #expect(token.hasPrefix("rlg_"))
        #expect(token.count == 4 + 43)  // 32 bytes in unpadded base64url
        #expect(token.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(try accounts.user(bearerToken: token) == ann)

        // The store finds the user by the hash, and nothing but the hash identifies the token.
        let hash = Accounts.tokenHash(token)
        #expect(hash.count == 64 && hash.allSatisfy(\.isHexDigit))
        #expect(try store.user(tokenHash: hash) == ann)
        #expect(try store.user(tokenHash: token) == nil)

        let second = try accounts.issueToken(for: "ann")
        #expect(second != token)
        #expect(try accounts.user(bearerToken: "rlg_" + String(token.dropFirst(4).reversed())) == nil)
        #expect(try accounts.user(bearerToken: "not-a-token") == nil)
        #expect(throws: AccountError.store(.unknownUser("bob", known: ["ann"]))) { try accounts.issueToken(for: "bob") }

        try accounts.remove(name: "ann")
        #expect(try accounts.user(bearerToken: token) == nil)
        #expect(try accounts.list().isEmpty)
    }

    @Test func theKnownSHA256OfAToken() {
        // SHA-256("abc") from FIPS 180-2's examples: the hash is the standard one, in lowercase hex.
        #expect(Accounts.tokenHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
