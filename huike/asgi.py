import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huike.settings.base")

# WhiteNoise answers static files with a file response, a synchronous iterator; under ASGI Django
# reads it in a worker thread and warns on every first use. Our assets are small (the largest,
# Tabler's CSS, is under 1 MB) and cached by browsers, so that is fine: keep the log quiet.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators", category=Warning
)

application = get_asgi_application()
