from shortener import create_app

app = create_app()
