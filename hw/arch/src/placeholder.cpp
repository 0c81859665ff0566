namespace reramsim {}
