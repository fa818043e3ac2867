// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "rapport",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rapport", targets: ["rapport"]),
        .executable(name: "rapport-sim", targets: ["rapport-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", exact: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", exact: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", exact: "1.5.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", exact: "0.10.0"),
    ],
    targets: [
        // The merge rules: values in, values out. No SQLite, no clock reads, no network.
        .target(
            name: "RapportSync",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // Process-wide SQLite settings that only C can make (sqlite3_config is variadic).
        .target(name: "RapportSQLiteSetup", linkerSettings: [.linkedLibrary("sqlite3")]),
        // Operations as SQLite rows, and what a database file's folder and files refuse, shared by the replica and
        // the server's SQLite store.
        .target(
            name: "RapportSQL",
            dependencies: [
                "RapportSync", "RapportSQLiteSetup",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The manager's local SQLite replica.
        .target(
            name: "RapportReplica",
            dependencies: ["RapportSync", "RapportSQL", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Types, client and server stubs generated from Protocol/openapi.yaml.
        .target(
            name: "RapportAPI",
            dependencies: ["RapportSync", .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The team's sync server: storage, merge on push, HTTP routes.
        .target(
            name: "RapportServer",
            dependencies: [
                "RapportSync", "RapportAPI", "RapportSQL",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The server's storage on PostgreSQL, for several server processes in front of one database.
        .target(
            name: "RapportPostgres",
            dependencies: [
                "RapportSync", "RapportServer",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // `rapport sync`: pushes a replica's pending operations and pulls the team's.
        .target(
            name: "RapportClient",
            dependencies: [
                "RapportSync", "RapportReplica", "RapportAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // (For its parser's error: bytes that are no HTTP at all, from another kind of server on the port.)
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // The key-account computations: scoring matrix, relationship map, cadence, KPI progress, scorecard
        // health, pipeline. Values in, values out; "today" is passed in.
        .target(
            name: "RapportKAM",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The account report as Markdown and as one self-contained HTML file with inline SVG charts.
        .target(name: "RapportReport", dependencies: ["RapportKAM"]),
        // Moving data in and out: CSV import mapping and export, iCalendar for meetings.
        .target(
            name: "RapportTransfer",
            dependencies: ["RapportSync", "RapportKAM", .product(name: "SwiftCSV", package: "SwiftCSV")]
        ),
        // The command line: parsing and printing only; the work lives in the modules above.
        .target(
            name: "RapportCLI",
            dependencies: [
                "RapportSync", "RapportReplica", "RapportServer", "RapportPostgres", "RapportClient",
                "RapportKAM", "RapportReport", "RapportTransfer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "rapport", dependencies: ["RapportCLI", "RapportSQL"]),
        // Helpers the test targets share (temporary folders, seeded randomness, server processes).
        .target(name: "RapportTestSupport"),
        // Deterministic simulation of a whole team (one server, 2-8 replicas, a faulty network, crashes and
        // drifting clocks) in one process from a seed, checked against the merge rules' invariants.
        .target(
            name: "RapportSimulation",
            dependencies: [
                "RapportSync", "RapportSQL", "RapportReplica", "RapportServer", "RapportClient", "RapportAPI", "RapportTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // `swift run -c release rapport-sim --seeds 5000`: many seeds, in parallel, outside the test runner.
        .executableTarget(
            name: "rapport-sim",
            dependencies: ["RapportSimulation", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // `swift build -c release && .build/release/rapport-bench`: throughput, latency and memory on a generated
        // team data set, against plain SQLite inserts of the same rows.
        .executableTarget(
            name: "rapport-bench",
            dependencies: [
                "RapportSync", "RapportSQL", "RapportReplica", "RapportServer", "RapportPostgres", "RapportAPI", "RapportClient",
                "RapportTestSupport", "RapportKAM",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/rapport-bench"
        ),
        .testTarget(name: "RapportSyncTests", dependencies: ["RapportSync"]),
        .testTarget(name: "RapportKAMTests", dependencies: ["RapportKAM"]),
        .testTarget(name: "RapportReportTests", dependencies: ["RapportReport", "RapportKAM", "RapportSync"]),
        .testTarget(name: "RapportTransferTests", dependencies: ["RapportTransfer", "RapportKAM", "RapportSync"]),
        .testTarget(name: "RapportReplicaTests", dependencies: ["RapportReplica", "RapportSQL", "RapportSync", "RapportTestSupport"]),
        .testTarget(
            name: "RapportServerTests",
            dependencies: ["rapport", "RapportTestSupport", "RapportServer", "RapportPostgres", "RapportClient", "RapportReplica", "RapportSync", "RapportKAM",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio"),
                           .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "RapportSimulationTests", dependencies: ["RapportSimulation", "RapportReplica", "RapportServer", "RapportSync", "RapportTestSupport"]),
        .testTarget(name: "RapportCLITests", dependencies: ["rapport", "RapportCLI", "RapportClient", "RapportKAM", "RapportReplica", "RapportSync", "RapportTestSupport",
                                                          .product(name: "GRDB", package: "GRDB.swift"),
                                                          .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ]
)
