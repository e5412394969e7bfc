import Timekeeping
import Modbus
import RiglogTesting
import Testing

import RigProfiles

struct RequestPlannerTests {
    private func profile(_ channels: [Channel], limits: DeviceLimits = DeviceLimits(), badge: OperatorRegister? = nil) -> DeviceProfile {
        DeviceProfile(name: "t", title: LocalizedText(en: "t"), poll: .milliseconds(100), limits: limits, channels: channels, operatorRegister: badge)
    }

    private func channel(_ name: String, _ kind: RegisterKind, _ address: Int, _ type: ValueType, poll: Duration? = nil) -> Channel {
        Channel(name: name, address: RegisterAddress(kind: kind, address: address), type: type, poll: poll)
    }

    @Test func adjacentValuesMergeAndGapsAreFilledUpToTheLimit() {
        let plan = profile(
            [channel("a", .input, 0, .u16), channel("b", .input, 1, .f32), channel("c", .input, 6, .u16), channel("d", .input, 20, .u16)],
            limits: DeviceLimits(maxGapFill: 3)
        ).requestPlan()
        #expect(plan.requests.map(\.addresses) == [0..<7, 20..<21])
        #expect(plan.requests[0].gaps == [3..<6])
        #expect(plan.requests[0].fields.map(\.offset) == [0, 1, 6])
        #expect(plan.requests[0].functionCode == 4)
        #expect(plan.requests[0].modiconReference == 30001)
    }

    @Test func statusBitsShareTheirRegister() {
        let plan = profile([channel("run", .input, 5, .bit(0)), channel("fault", .input, 5, .bit(3)), channel("word", .input, 5, .u16)]).requestPlan()
        #expect(plan.requests.count == 1)
        #expect(plan.requests[0].count == 1)
        #expect(plan.requests[0].fields.count == 3)
    }

    @Test func intervalsAndTablesNeverMix() {
        let plan = profile([
            channel("fast", .input, 0, .u16, poll: .milliseconds(20)), channel("slow", .input, 1, .u16),
            channel("held", .holding, 2, .u16), channel("lamp", .coil, 0, .bool),
        ], badge: OperatorRegister(address: RegisterAddress(kind: .holding, address: 3))).requestPlan()
        #expect(plan.requests.count == 4)
        #expect(plan.intervals == [.milliseconds(20), .milliseconds(100)])
        let held = plan.requests.first { $0.kind == .holding }
        #expect(held?.fields.map(\.name) == ["held", "operator"])
    }

    @Test func aRigOverrideReplacesTheProfileDefaultOnly() {
        let p = profile([channel("fast", .input, 0, .u16, poll: .milliseconds(20)), channel("slow", .input, 1, .u16)])
        #expect(p.requestPlan(poll: .seconds(1)).intervals == [.milliseconds(20), .seconds(1)])
    }

    @Test func oneRequestPerFieldDisablesMerging() {
        let plan = profile([channel("a", .input, 0, .u16), channel("b", .input, 1, .u32)], limits: DeviceLimits(oneRequestPerField: true)).requestPlan()
        #expect(plan.requests.map(\.addresses) == [0..<1, 1..<3])
    }

    @Test func aValueIsNeverSplitAtTheLimit() {
        let plan = profile([channel("a", .input, 0, .u16), channel("b", .input, 1, .u16), channel("c", .input, 2, .f32)],
            limits: DeviceLimits(maxRegistersPerRequest: 3)).requestPlan()
        #expect(plan.requests.map(\.addresses) == [0..<2, 2..<4])
    }

    /// Hundreds of generated profiles: the planner's guarantees hold for every one.
    @Test func propertiesHoldOverGeneratedProfiles() {
        var rng = SeededGenerator(seed: 2026)
        for round in 0..<600 {
            let generated = Self.randomProfile(using: &rng)
            let plan = generated.requestPlan()
            let limits = generated.limits
            var served: [String: Int] = [:]
            for request in plan.requests {
                let limit = request.kind.isBit ? limits.maxBitsPerRequest : limits.maxRegistersPerRequest
                #expect(request.count <= limit, "round \(round): request over its limit")
                #expect(request.count >= 1 && request.start >= 0 && request.start + request.count <= 65536)
                if limits.oneRequestPerField { #expect(request.fields.count == 1) }
                var covered = Set<Int>()
                for field in request.fields {
                    served[field.name, default: 0] += 1
                    let (kind, address, width, interval) = Self.expected(field, in: generated)
                    #expect(kind == request.kind, "round \(round): a request crosses tables")
                    #expect(interval == request.interval, "round \(round): a request crosses intervals")
                    #expect(request.start + field.offset == address && field.width == width)
                    #expect(field.offset >= 0 && field.offset + field.width <= request.count, "round \(round): value split")
                    covered.formUnion(address..<(address + width))
                }
                for gap in request.gaps {
                    #expect(gap.count <= limits.maxGapFill, "round \(round): gap over max_gap_fill")
                    #expect(covered.isDisjoint(with: gap))
                    covered.formUnion(gap)
                }
                #expect(covered == Set(request.addresses), "round \(round): addresses neither served nor declared as gaps")
            }
            #expect(served.count == generated.channels.count + (generated.operatorRegister == nil ? 0 : 1))
            #expect(served.values.allSatisfy { $0 == 1 }, "round \(round): a value read twice")
            if !limits.oneRequestPerField { Self.expectNoMergeMissed(plan, limits: limits) }
        }
    }

    /// Consecutive requests of one group could not have been joined within the limits.
    private static func expectNoMergeMissed(_ plan: RequestPlan, limits: DeviceLimits) {
        for (a, b) in zip(plan.requests, plan.requests.dropFirst()) where a.kind == b.kind && a.interval == b.interval {
            let limit = a.kind.isBit ? limits.maxBitsPerRequest : limits.maxRegistersPerRequest
            let gap = b.start - (a.start + a.count)
            let joined = max(a.start + a.count, b.start + b.count) - a.start
            #expect(gap > limits.maxGapFill || joined > limit, "requests at \(a.start) and \(b.start) could be one")
        }
    }

    private static func expected(_ field: PlannedField, in profile: DeviceProfile) -> (RegisterKind, Int, Int, Duration) {
        switch field.target {
        case .channel(let index, _):
            let c = profile.channels[index]
            return (c.address.kind, c.address.address, c.width, c.poll ?? profile.poll)
        case .operatorBadge:
            let b = profile.operatorRegister!
            return (b.address.kind, b.address.address, b.type.registerCount, profile.poll)
        }
    }

    static func randomProfile(using rng: inout SeededGenerator) -> DeviceProfile {
        let registerTypes: [ValueType] = [.u16, .i16, .u32, .i32, .f32, .u64, .i64, .f64, .bit(0), .bit(7), .bool]
        let intervals: [Duration?] = [nil, nil, .milliseconds(20), .seconds(1)]
        var limits = DeviceLimits(
            maxRegistersPerRequest: Int.random(in: 4...125, using: &rng), maxBitsPerRequest: Int.random(in: 1...2000, using: &rng),
            maxGapFill: Int.random(in: 0...16, using: &rng))
        limits.oneRequestPerField = Int.random(in: 0..<10, using: &rng) == 0
        var channels: [Channel] = []
        var next: [RegisterKind: Int] = [.coil: 0, .discrete: 0, .input: 0, .holding: 0]
        for i in 0..<Int.random(in: 1...60, using: &rng) {
            let kind = RegisterKind.allCases.randomElement(using: &rng)!
            let type = kind.isBit ? ValueType.bool : registerTypes.randomElement(using: &rng)!
            // Mostly packed, sometimes a hole, sometimes a far jump; bits sometimes share a word.
            var address = next[kind]! + [0, 0, 0, 1, 2, 5, 30, 200].randomElement(using: &rng)!
            if case .bit = type, address > 0, Bool.random(using: &rng) { address -= 1 }
            let width = kind.isBit ? 1 : type.registerCount
            guard address + width <= 65536 else { continue }
            channels.append(Channel(name: "c\(i)", address: RegisterAddress(kind: kind, address: address), type: type, poll: intervals.randomElement(using: &rng)!))
            next[kind] = max(next[kind]!, address + width)
        }
        let badge = Bool.random(using: &rng) ? OperatorRegister(address: RegisterAddress(kind: .holding, address: next[.holding]! + 10)) : nil
        return DeviceProfile(name: "generated", title: LocalizedText(en: "generated"), poll: .milliseconds(100), limits: limits, channels: channels, operatorRegister: badge)
    }
}

/// Generated profiles written as YAML and loaded back: the loader and the planner agree with
/// the values the YAML was written from.
struct GeneratedProfileTests {
    @Test func generatedProfilesLoadAndPlanLikeTheirSource() throws {
        var rng = SeededGenerator(seed: 77)
        for round in 0..<200 {
            let source = RequestPlannerTests.randomProfile(using: &rng)
            let yaml = Self.yaml(for: source, useRef: round % 2 == 0)
            let loaded = try ProfileLoader.parse(yaml: yaml, file: "generated-\(round).yaml")
            #expect(loaded.channels.count == source.channels.count)
            for (a, b) in zip(loaded.channels, source.channels) {
                #expect(a.name == b.name && a.address.kind == b.address.kind && a.address.address == b.address.address)
                #expect(a.type == b.type && a.poll == b.poll)
            }
            #expect(loaded.limits == source.limits)
            #expect(loaded.requestPlan().requests == source.requestPlan().requests)
        }
    }

    @Test func aFieldDecodesFromItsPlannedOffset() throws {
        let profile = try ProfileLoader.parse(yaml: """
            profile: d
            title: D
            channels:
              - {name: a, source: input 0, type: u16, scale: 0.1}
              - {name: b, source: input 1, type: f32, order: CDAB}
              - {name: on, source: input 3, type: bit 2}
            operator: {source: input 4, type: u32}
            """, file: "d.yaml")
        let plan = profile.requestPlan()
        #expect(plan.requests.count == 1)
        var registers = [UInt16](repeating: 0, count: plan.requests[0].count)
        ValueCodec.encode(.float(-12.5), as: .f32, order: .cdab, into: &registers, at: 1)
        registers[0] = 553
        registers[3] = 0b100
        ValueCodec.encode(.unsigned(4_000_123), as: .u32, into: &registers, at: 4)
        let values = registers.withUnsafeBufferPointer { buffer in
            plan.requests[0].fields.map { profile.decode($0, in: buffer) }
        }
        #expect(values == [.unsigned(553), .float(-12.5), .bool(true), .unsigned(4_000_123)])
        #expect(profile.layout(of: plan.requests[0].fields[0]).scale == 0.1)
    }

    static func yaml(for profile: DeviceProfile, useRef: Bool) -> String {
        var lines = ["profile: \(profile.name)", "title: Generated", "poll: \(DurationText.format(profile.poll))"]
        let l = profile.limits
        lines.append("limits: {max_registers_per_request: \(l.maxRegistersPerRequest), max_bits_per_request: \(l.maxBitsPerRequest), "
            + "max_gap_fill: \(l.maxGapFill), one_request_per_field: \(l.oneRequestPerField)}")
        lines.append("channels:")
        for channel in profile.channels {
            let address = useRef ? "ref: \(channel.address.modiconReference)" : "source: \(channel.address)"
            var line = "  - {name: \(channel.name), \(address), type: \(channel.type)"
            if let poll = channel.poll { line += ", poll: \(DurationText.format(poll))" }
            lines.append(line + "}")
        }
        if let badge = profile.operatorRegister {
            lines.append("operator: {source: \(badge.address), type: \(badge.type)}")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
