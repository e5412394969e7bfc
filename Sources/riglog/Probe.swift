import ArgumentParser
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "placeholder")
    func run() async throws {}
}
