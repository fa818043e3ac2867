import RapportCLI
import RapportSQL

@main
struct RapportMain {
    static func main() async {
        SQLiteProcess.prepare()
        await Rapport.runMain()
    }
}
