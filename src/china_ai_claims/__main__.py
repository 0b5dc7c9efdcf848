from china_ai_claims.command import main

main()
