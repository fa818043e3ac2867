import RapportCLI

@main
struct RapportMain {
    static func main() async {
        await Rapport.main(nil)
    }
}
