from mnp_chatbot.cli import app

app()
