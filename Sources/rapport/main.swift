import RapportCLI
