"""The points of the launch meeting's check-list (« Check-list des points à aborder lors d'une réunion de
lancement », an ANAP tool named in seed 001 L525 whose content is rebuilt from the ANAP fiches of 2019, seed 003
L1275-1313 and L1375-1381, and from the launch step itself, seed 001 L513-518 and seed 003 L1349-1356). Plain data.
"""

# code, label: in the order the meeting takes them.
ITEMS = (
    (
        "perimeter",
        "Périmètre du CPOM : établissements et services retenus (interdépartemental, régional, ESMS sous compétence "
        "exclusive ou conjointe ARS et / ou CD)",
    ),
    ("method", "Méthodologie de la démarche et enjeux pour chacune des parties"),
    (
        "negotiable",
        "Ce qui est négociable : frais de siège, accompagnement d'un projet de rapprochement, moyens disponibles",
    ),
    ("attendees", "Participants en capacité de décider, pour chaque partie"),
    ("actors", "Identification des acteurs impliqués et des interlocuteurs de chaque partie"),
    ("phasing", "Phasage précis de la démarche (diagnostic, négociation, rédaction, signature)"),
    (
        "calendar",
        "Définition du calendrier : fréquence des rencontres, documents attendus (comptes rendus des réunions), "
        "modalités de définition des objectifs",
    ),
    ("committees", "Mise en place de la comitologie : comité de pilotage, référent de chaque partie"),
    ("expectations", "Attentes et craintes de chacune des parties"),
    (
        "letters",
        "Courrier réciproque : lettre de cadrage de l'autorité et lettre de l'organisme gestionnaire en réponse",
    ),
    (
        "staff",
        "Association des professionnels et des usagers, information des instances représentatives du personnel",
    ),
)
