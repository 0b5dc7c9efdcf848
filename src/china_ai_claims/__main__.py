from china_ai_claims.cli import main

main()
