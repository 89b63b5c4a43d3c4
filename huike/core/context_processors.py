from django.conf import settings

from .permissions import access_for


def console(request):
    """What every console page needs: the user's access (for the menu) and the languages."""
    user = getattr(request, "user", None)
    return {
        "access": access_for(user) if user is not None else None,
        "huike_languages": settings.LANGUAGES,
    }
