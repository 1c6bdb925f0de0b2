"""The words generated households are made of: names, programs, packages, extra charges."""

FIRST_NAMES = (
    "Olivia Liam Emma Noah Ava Elijah Sophia James Isabella Lucas Mia Mateo Amelia Ethan Harper Levi Evelyn "
    "Henry Luna Leo Camila Jack Gianna Daniel Aria Owen Ella Samuel Chloe Sebastian Nora Aiden Lily Ezra Zoe "
    "Wyatt Layla Carter Riley Julian Hazel Grayson Aurora Isaac Violet Jayden Nova Theo Emilia Caleb Stella "
    "Hudson Maya Miles Ruby Asher Priya Rohan Aisha Omar Mei Kenji Sofia Diego Fatima Yusuf Hana Malik Ines "
    "Tariq Leila Arjun Chiara Felix Freya Hugo Alma Nico Elena Marco Lucia Anders Ingrid Kofi Amara Tomas Rosa"
).split()

LAST_NAMES = (
    "Garcia Johnson Williams Brown Jones Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Patel Shah Kim Chen Wang Singh Khan Ali Okafor Mensah Haddad "
    "Novak Kowalski Rossi Bianchi Muller Schmidt Larsen Jensen Dubois Moreau Silva Costa Tanaka Sato Park Cho"
).split()

INSTRUCTOR_FIRST = "Alex Sam Jordan Taylor Casey Morgan Jamie Robin Drew Avery Quinn Reese Rowan Sage Skyler".split()

# (program, monthly tuition in cents, minutes per meeting)
PROGRAMS = [
    ("Swim Level 1", 9500, 45), ("Swim Level 2", 9500, 45), ("Swim Level 3", 10500, 45), ("Swim Level 4", 10500, 45),
    ("Swim Team Prep", 12500, 60), ("Ballet II", 11000, 60), ("Tap and Jazz", 11000, 60), ("Hip Hop", 10000, 60),
    ("Acro Dance", 11500, 60), ("Drawing and Painting", 12000, 90), ("Pottery for Teens", 13500, 90),
    ("Piano Group", 14000, 45), ("Guitar Group", 13000, 45), ("Young Musicians", 9000, 45), ("Drama Club", 10500, 90),
    ("Gymnastics Basics", 11500, 60), ("Kids Karate", 9500, 45), ("Chess Club", 7500, 60), ("Coding for Kids", 14500, 90),
    ("Choir", 8000, 60),
]

WEEKDAY_SLOTS = ["3:30 PM", "4:15 PM", "5:00 PM", "5:45 PM", "6:30 PM"]
SATURDAY_SLOTS = ["9:00 AM", "10:00 AM", "11:00 AM", "1:00 PM", "2:00 PM"]
WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

# (name, price in cents, [(kind, allotment, quantity, unit price in cents)]): quantities times prices make the price
PACKAGES = [
    ("Swim Private 5-Pack", 30000, [("hours", "Private swim lesson", 5, 6000)]),
    ("Art Studio Pass", 25000, [("hours", "Studio time", 10, 2000), ("item", "Canvas", 5, 1000)]),
    ("Music Lesson Bundle", 48000, [("hours", "Private music lesson", 8, 6000)]),
]

# (drop-in course, location, weekday, hour, minute, minutes, pass name, punches, pass price in cents)
DROP_INS = [
    ("Open Swim", "Northside", 6, 13, 0, 90, "Open Swim 10-punch", 10, 12000),
    ("Family Clay Night", "Downtown", 2, 18, 30, 120, "Clay Night 5-punch", 5, 9000),
]

EXTRAS = [
    ("Field trip: science museum", 3500), ("Recital costume", 6000), ("Art supplies", 4500),
    ("Swim cap and goggles", 2500), ("Showcase tickets", 3000), ("Sheet music", 1800),
]

REGISTRATION_FEE = ("Annual registration fee", 3500)
CARD_BRANDS = ["Visa", "Mastercard", "Amex", "Discover"]
