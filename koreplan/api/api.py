from ninja import NinjaAPI

api = NinjaAPI(title="Køreplan API", version="1", urls_namespace="api")
