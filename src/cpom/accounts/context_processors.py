from cpom.access import membership_of


def current_membership(request):
    return {"membership": membership_of(getattr(request, "user", None))}
