public import Timekeeping
import RigProfiles
public import Store

extension Assessment {
    /// Builds the assessment of `group` over `period` from the store's session tables and the
    /// profile versions the lab's rigs are collected with.
    ///
    /// - Throws: ``AssessmentError/unknownGroup(_:known:)`` listing the groups there are.
    public init(store: StoreDatabase, group: String, period: TimePeriod = TimePeriod()) throws(AssessmentError) {
        do {
            let students = try store.students(group: group)
            guard !students.isEmpty else { throw AssessmentError.unknownGroup(group, known: try store.groups()) }
            // The store returns sessions that overlap the period; keep those that start in it.
            let sessions = try store.sessions(group: group, from: period.lowerBound, to: period.upperBound)
                .filter { $0.start >= period.lowerBound }
            let results = try store.results(of: sessions.map(\.id))
            let catalogue = try AssessmentCatalogue(store: store)

            var rows = Dictionary(uniqueKeysWithValues: students.map { ($0.id, AssessmentRow(student: $0)) })
            var attempted = Set<String>()
            for session in sessions {
                guard var row = rows[session.student] else { continue }
                row.add(session, results[session.id] ?? SessionResults())
                attempted.formUnion(results[session.id]?.attempts.map(\.exercise) ?? [])
                rows[session.student] = row
            }
            self.init(
                group: group, period: period, exercises: catalogue.exercises(including: attempted),
                rows: students.compactMap { rows[$0.id] }, unreadableProfiles: catalogue.unreadable)
        } catch let error as AssessmentError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .store(.database("\(error)"))
        }
    }
}

extension AssessmentRow {
    /// Adds one session and its results to the totals.
    mutating func add(_ session: StoredSession, _ results: SessionResults) {
        sessions += 1
        practiceSeconds += session.seconds
        activeSeconds += session.activeSeconds
        alarms += results.alarms.count
        for attempt in results.attempts {
            attempts += 1
            var result = exercises[attempt.exercise] ?? AssessmentExerciseResult()
            result.attempts += 1
            if attempt.result == .passed {
                passed += 1
                result.passed += 1
                result.bestSeconds = min(result.bestSeconds ?? attempt.seconds, attempt.seconds)
            }
            exercises[attempt.exercise] = result
        }
    }
}

/// The exercises the lab's rigs define, read from the profile versions stored with the rigs.
struct AssessmentCatalogue {
    /// In profile-name order, then as each profile lists them; an id defined twice keeps its
    /// first title.
    private(set) var defined: [AssessmentExercise] = []
    /// `profile: reason` for stored profiles that no longer parse.
    private(set) var unreadable: [String] = []

    init(store: StoreDatabase) throws(StoreError) {
        var seen = Set<String>()
        for text in try store.profileVersionsInUse() {
            do {
                let profile = try ProfileLoader.parse(yaml: text.content, file: "\(text.name) (stored version \(text.id))")
                for exercise in profile.exercises where seen.insert(exercise.id).inserted {
                    let title = exercise.title.en
                    defined.append(AssessmentExercise(id: exercise.id, title: title.isEmpty ? exercise.id : title))
                }
            } catch {
                unreadable.append("\(text.name): \(error.issues.first?.description ?? "unreadable")")
            }
        }
    }

    /// The defined exercises, then those only attempts name (by id, titled by their id).
    func exercises(including attempted: Set<String>) -> [AssessmentExercise] {
        let known = Set(defined.map(\.id))
        return defined + attempted.subtracting(known).sorted().map { AssessmentExercise(id: $0, title: $0) }
    }
}
