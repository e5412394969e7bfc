import Foundation
import Testing

import RigProfiles

/// Every file in Broken/ is refused with exactly the messages its `# expect:` lines give,
/// positions included. The files are the catalogue of mistakes technicians make.
struct BrokenCorpusTests {
    static let files = RepoPaths.yamlFiles(under: RepoPaths.broken)

    @Test func corpusIsLargeEnough() {
        #expect(Self.files.count >= 30)
    }

    @Test(arguments: files.map { ($0 as NSString).lastPathComponent })
    func brokenFileIsRefusedWithItsExpectedErrors(name: String) throws {
        let path = RepoPaths.broken + "/" + name
        let expected = try RepoPaths.expectedMessages(of: path)
        #expect(!expected.isEmpty, "\(name) must say what it expects")

        var found: [ConfigIssue] = []
        do throws(ConfigErrors) {
            switch try ConfigFile.kind(ofFileAt: path) {
            case .profile: _ = try ProfileLoader.load(path: path)
            case .lab: _ = try LabLoader.load(path: path, devicesFolder: RepoPaths.devices)
            }
            Issue.record("\(name) loaded, but it is broken")
        } catch {
            found = error.issues
        }
        #expect(found.allSatisfy { $0.location.file == path })
        let messages = found.map { $0.message.replacingOccurrences(of: RepoPaths.devices, with: "Devices") }
        #expect(messages == expected)
    }

    @Test func descriptionNamesTheFileLikeACompiler() throws {
        let path = RepoPaths.broken + "/p01-bad-type.yaml"
        do throws(ConfigErrors) {
            _ = try ProfileLoader.load(path: path)
            Issue.record("loaded a broken profile")
        } catch {
            #expect(error.description == path + #":8:11: channels[0].type: found "u61", expected one of bool, u16, i16, u32, i32, u64, i64, f16, f32, f64, "u8 high", "u8 low", "i8 high", "i8 low", "bit N" (N 0-15), "bit N of u32" (N 0-31) or "string N" (N registers, 1-125)"#)
        }
    }
}
