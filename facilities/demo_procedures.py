"""Procedure information pages for the nine demo procedures, loaded by ``manage.py load_demo``.

Written for Medtour in our own words, in plain English for readers who may not be native speakers.
This is DEMO content: it has not been reviewed by a doctor, and ``medical_reviewer`` says so. Do not
replace it with the name of a real clinician unless that person has actually reviewed the page.

Text format (see the ``prose`` template filter): blank lines separate paragraphs, and a block whose
lines start with "- " is a bulleted list. In this file paragraphs and list items are wrapped to fit
the line length; ``tidy`` joins them back so that each paragraph or item is stored on one line.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

REVIEWER = "Medtour clinical content team (demo content, not clinically reviewed)"
LAST_REVIEWED_ON = datetime.date(2026, 11, 1)

# The long plain-text fields of ``Procedure``, in page order.
TEXT_FIELDS = (
    "overview",
    "indications",
    "contraindications",
    "techniques",
    "benefits",
    "risks",
    "recovery",
    "aftercare",
    "questions",
)


def tidy(text: str) -> str:
    """Wrapped source text to stored text: one line per paragraph or list item, blank lines between blocks."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        line = line.strip()
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    result = []
    for lines in filter(None, blocks):
        if lines[0].startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line)
                else:
                    items[-1] += " " + line
            result.append("\n".join(items))
        elif any(line.startswith("- ") for line in lines):
            raise ValueError(f"A list must be its own block, after a blank line: {lines[0]!r}")
        else:
            result.append(" ".join(lines))
    return "\n\n".join(result)


@dataclass(frozen=True)
class ProcedurePage:
    slug: str
    also_known_as: str
    overview: str
    indications: str
    contraindications: str
    techniques: str
    benefits: str
    risks: str
    recovery: str
    aftercare: str
    questions: str
    operation_hours: tuple[Decimal, Decimal]
    hospital_nights: tuple[int, int]
    days_before_flying: int
    return_to_normal_weeks: tuple[int, int]
    anaesthesia: str  # a value of Procedure.Anaesthesia
    related: tuple[str, ...]  # slugs; the relation is symmetrical, so list each pair on both pages
    medical_reviewer: str = REVIEWER
    last_reviewed_on: datetime.date = LAST_REVIEWED_ON

    def __post_init__(self) -> None:
        for name in TEXT_FIELDS:
            object.__setattr__(self, name, tidy(getattr(self, name)))

    def texts(self) -> dict[str, str]:
        """The translatable texts of the page: other names and every section."""
        return {"also_known_as": self.also_known_as, **{name: getattr(self, name) for name in TEXT_FIELDS}}

    def values(self) -> dict:
        """Field values for ``Procedure``, except ``related`` (a many-to-many set separately)."""
        return {
            "also_known_as": self.also_known_as,
            **{name: getattr(self, name) for name in TEXT_FIELDS},
            "operation_hours_min": self.operation_hours[0],
            "operation_hours_max": self.operation_hours[1],
            "hospital_nights_min": self.hospital_nights[0],
            "hospital_nights_max": self.hospital_nights[1],
            "days_before_flying": self.days_before_flying,
            "return_to_normal_weeks_min": self.return_to_normal_weeks[0],
            "return_to_normal_weeks_max": self.return_to_normal_weeks[1],
            "anaesthesia": self.anaesthesia,
            "medical_reviewer": self.medical_reviewer,
            "last_reviewed_on": self.last_reviewed_on,
        }


_PAGES = [
    ProcedurePage(
        slug="lumbar-spinal-fusion",
        also_known_as="Lower back fusion; lumbar arthrodesis; TLIF, PLIF, ALIF, LLIF or XLIF (types of lumbar fusion)",
        overview="""
            Lumbar spinal fusion joins two or more bones of the lower back (vertebrae) so that they heal into one solid
            piece. The surgeon places bone graft, or a bone substitute, between or beside the vertebrae. Screws and
            rods, and often a small spacer called a cage, hold the bones still while they grow together.

            The aim is to stop painful or harmful movement at one part of the spine. Fusion is a big operation. It is
            usually considered only after other treatment, such as physiotherapy, medicines and injections, has not
            helped enough.

            The bones take many months to fuse fully. Most people feel clearly better within three to six months, but
            not everyone has less pain after a fusion.
        """,
        indications="""
            Fusion may be offered to adults whose back or leg pain comes from a clear problem that scans can show, for
            example:

            - a vertebra that has slipped forward on the one below (spondylolisthesis)
            - a spine that moves too much, or is unstable after an injury, an infection or earlier surgery
            - a curve or other deformity that is getting worse
            - nerves that need a large decompression, which would leave the spine unstable

            Fusion is less reliable for back pain alone, without a clear cause on scans. Only your own surgeon, after
            examining you and looking at your scans, can say whether fusion is right for you. The decision is always
            yours, made together with them.
        """,
        contraindications="""
            Fusion may not be a good choice, or may need to wait, if you:

            - smoke or use nicotine, because it greatly lowers the chance of the bones joining
            - have weak bones (osteoporosis) that cannot hold screws well
            - have an infection anywhere in the body, until it is treated
            - have diabetes, heart disease or lung disease that is not well controlled
            - are very overweight, which raises the risk of wound and other problems
            - have back pain with no clear cause on scans

            Many of these can be improved before surgery. Stopping smoking at least six weeks before and after the
            operation makes a real difference. Tell your surgeon about every medicine you take, especially blood
            thinners.
        """,
        techniques="""
            The operation is done under general anaesthesia, so you are asleep. You usually lie on your front.

            In open surgery, the surgeon makes one cut along the middle of the back and moves the muscles aside. This
            gives a wide view and suits complex cases. In minimally invasive surgery, screws and rods are put in through
            several small cuts, guided by X-ray or a navigation system. There is usually less muscle damage, less blood
            loss and a shorter hospital stay, but not every case is suitable.

            The disc space can be reached from different directions. These have short names: TLIF and PLIF (from the
            back), ALIF (through the belly) and LLIF or XLIF (from the side). Each has its own benefits and risks. Ask
            your surgeon which approach they suggest, and why.
        """,
        benefits="""
            When the cause of pain is clear, fusion can:

            - reduce leg pain and back pain that come from the unstable part of the spine
            - stop a slip or a curve from getting worse
            - protect nerves after they have been freed
            - help you walk further and do more of your daily activities

            Many people are satisfied with the result, but the improvement is usually partial rather than complete. Some
            stiffness at the fused level is expected. Most people notice little change in how they move when only one or
            two levels are fused. The best results come when the problem on the scan clearly matches your symptoms.
        """,
        risks="""
            All surgery has risks. Your own risks depend on your health and the size of the operation, and your surgeon
            should explain them. Rough figures from published studies:

            - infection of the wound or deeper tissues: roughly 1–4 in 100
            - a tear in the lining around the nerves (dural tear), usually repaired during surgery: roughly 2–10 in 100
            - nerve damage causing new weakness or numbness: about 1 in 100 or fewer
            - a blood clot in the leg or lung: roughly 1 in 100
            - the bones do not join (non-union): estimates vary widely, often around 5–15 in 100, and higher in smokers
            - screws in the wrong place or coming loose, sometimes needing another operation

            Over the years, the discs next to a fusion can wear faster, and some people need another operation at a
            nearby level. Pain can continue even when the fusion heals well. Serious problems from the anaesthetic are
            rare.
        """,
        recovery="""
            Everyone heals at a different speed. A typical path looks like this:

            - Day of surgery or the next day: you sit up and walk with help.
            - Days 3–5: most people leave hospital, walking short distances.
            - Weeks 2–6: walk more each day; avoid bending, lifting and twisting. Desk work is often possible from about
              week 4–6.
            - Months 3–6: physiotherapy builds strength, and most daily activities return.
            - Months 6–12: the bones keep fusing. Heavy work and sport only when your surgeon agrees.

            Plan to stay near the hospital for about 10–14 days after surgery before a long flight. This allows a wound
            check and lowers your risk of blood clots. On the plane, wear compression stockings if advised, walk every
            hour, move your ankles often and drink water. Ask for an aisle seat and for help with your luggage.
        """,
        aftercare="""
            Before you leave, ask the hospital for copies of:

            - your discharge summary and operative notes
            - your scans and X-rays, on a disc or a download link
            - the implant record (maker, model and sizes of screws and cages)
            - a list of your medicines, and when to reduce them

            Before you travel, book an appointment with your family doctor or a local spine specialist for one to two
            weeks after you get home, and arrange physiotherapy. Some doctors are unsure about caring for someone after
            surgery abroad, so sort this out early. Follow-up X-rays are often taken at about 6 weeks, 3 months and 1
            year.

            Get urgent medical help if you have:

            - fever, or a wound that is red, swollen, leaking or opening
            - new weakness, numbness or pins and needles in the legs
            - loss of bladder or bowel control, or numbness between the legs
            - calf pain or swelling, chest pain or breathlessness (call emergency services)
            - a severe headache when sitting up that eases when lying down
        """,
        questions="""
            Good questions to ask your surgeon:

            - Why do you recommend fusion for me, and what happens if I wait?
            - Which approach do you plan: open or minimally invasive, and from which direction?
            - How many of these operations do you do each year?
            - What results and complication rates do you see in your own patients?
            - Which implants will you use, and will I get the implant details?
            - How long should I stay before flying home?
            - Who do I contact if I have a problem after I get home?
            - What does the price include, and what happens if I need another operation?

            Write down the answers and take your time. The decision is yours, made together with your own surgeon.
        """,
        operation_hours=(Decimal("2.0"), Decimal("5.0")),
        hospital_nights=(3, 5),
        days_before_flying=14,
        return_to_normal_weeks=(12, 26),
        anaesthesia="general",
        related=(
            "minimally-invasive-lumbar-discectomy",
            "laminectomy",
            "minimally-invasive-spinal-infection-surgery",
            "post-operative-pain-management",
        ),
    ),
    ProcedurePage(
        slug="minimally-invasive-lumbar-discectomy",
        also_known_as=(
            "Microdiscectomy; tubular discectomy; endoscopic discectomy; slipped disc surgery; sciatica surgery"
        ),
        overview="""
            A disc is a soft cushion between two vertebrae. Sometimes part of the disc bulges or breaks through its
            outer layer (a herniated or slipped disc) and presses on a nerve. This can cause sharp pain down the leg,
            called sciatica, with numbness or weakness.

            A discectomy removes the piece of disc that presses on the nerve. In the minimally invasive version, the
            surgeon works through a small cut, about 2–3 cm long, using a microscope or a tiny camera (endoscope). The
            rest of the disc is left in place.

            Many slipped discs get better on their own within 6–12 weeks. Surgery is usually for pain that does not
            settle, or for nerve problems that are serious or getting worse.
        """,
        indications="""
            A discectomy may be considered if:

            - leg pain from a herniated disc has lasted about 6–12 weeks or more despite medicines, activity advice and
              physiotherapy
            - the pain is so severe that you cannot manage daily life
            - your leg or foot is getting weaker
            - your symptoms match what the MRI scan shows

            It is mainly an operation for leg pain. It helps less with back pain alone.

            Some problems are an emergency and need surgery at the nearest hospital, not a trip abroad: sudden loss of
            bladder or bowel control, numbness between the legs, or quickly worsening leg weakness. This is called cauda
            equina syndrome.

            Only your own surgeon, after examining you and your scan, can say whether surgery is right for you.
        """,
        contraindications="""
            A discectomy may not be suitable if:

            - your pain is mainly in the back, not the leg
            - the MRI does not show a disc pressing on a nerve in a way that matches your symptoms
            - the spine is unstable or has slipped, which may need a different operation
            - your symptoms are getting steadily better without surgery
            - you have an infection, or a medical condition that makes anaesthesia unsafe

            A repeat discectomy at the same level is possible but harder, and the surgeon may suggest other options.
            Smoking slows healing and may raise the chance of the disc slipping again. Tell your surgeon about all your
            medicines, especially blood thinners.
        """,
        techniques="""
            Most discectomies are done under general anaesthesia while you lie on your front. Some centres use spinal
            anaesthesia.

            In a microdiscectomy, the surgeon makes a small cut in the back and uses a microscope to see the nerve. In a
            tubular discectomy, the muscles are gently spread apart with a series of tubes instead of being cut. In an
            endoscopic discectomy, a thin camera is passed through an even smaller cut, sometimes only about 1 cm long.

            In every method, the surgeon moves the nerve gently aside and removes the loose piece of disc. A little bone
            may be removed to reach it. The cut is closed with stitches or skin glue.

            Open discectomy, through a larger cut, is still used in some cases. Results after one to two years are
            broadly similar between methods. Smaller methods may mean less pain in the first days.
        """,
        benefits="""
            For well-chosen patients, a discectomy often works well:

            - leg pain often improves quickly, sometimes as soon as you wake up
            - most people walk on the same day
            - the hospital stay is short
            - most people return to desk work within a few weeks

            Numbness and weakness may take longer to improve, often weeks to months, and sometimes they do not recover
            fully. Surgery usually gives faster relief than waiting. However, over a year or two, many people who do not
            have surgery also recover well. Talk with your surgeon about which path suits you.
        """,
        risks="""
            A discectomy is a common operation, but it has risks. Rough figures from published studies:

            - the disc slips again at the same level: roughly 5–15 in 100 over the following years
            - a tear in the lining around the nerve (dural tear), usually repaired at the time: roughly 1–5 in 100
            - wound infection: about 1 in 100 or fewer
            - nerve damage with new weakness or numbness: rare, less than 1 in 100
            - a blood clot in the leg or lung: rare
            - back pain that continues, or leg pain that does not improve fully

            Very rarely, large blood vessels in front of the spine can be injured, which is an emergency. Your surgeon
            can explain which risks matter most for you.
        """,
        recovery="""
            A typical path:

            - Same day: you walk with help, often a few hours after surgery.
            - Days 1–2: most people leave hospital.
            - Weeks 1–2: short, frequent walks; avoid long sitting, bending and lifting.
            - Weeks 2–6: gentle exercise and physiotherapy. Desk work is often possible from week 2–4.
            - Weeks 6–8: most people return to heavier work and sport, if the surgeon agrees.

            Plan to stay near the hospital for about 5–7 days before a long flight. This allows a wound check and lowers
            your risk of a blood clot. On the plane, wear compression stockings if advised, get up and walk every hour,
            move your ankles and drink water. An aisle seat helps. Do not lift heavy bags yourself.
        """,
        aftercare="""
            Before you leave, ask for copies of:

            - your discharge summary and operative notes
            - your MRI scans, on a disc or a download link
            - a list of your medicines, and how long to take them

            Before you travel, book an appointment with your family doctor or a local specialist for about one to two
            weeks after you get home. They can check the wound and arrange physiotherapy. Ask your surgeon whether
            stitches need removing, and when.

            Keep walking every day. Avoid heavy lifting for about six weeks, because it can make the disc slip again.

            Get urgent medical help if you have:

            - fever, or a wound that is red, swollen or leaking
            - new or worse weakness or numbness in the leg
            - loss of bladder or bowel control, or numbness between the legs
            - calf pain or swelling, chest pain or breathlessness (call emergency services)
            - a severe headache when sitting up that eases when you lie down
        """,
        questions="""
            Questions to ask your surgeon:

            - Does my MRI clearly match my symptoms?
            - What happens if I wait a few more weeks?
            - Which method will you use: microscope, tube or endoscope?
            - How many discectomies do you do each year?
            - How often does the disc slip again in your patients?
            - Is a night in hospital included, and how soon can I fly?
            - What should I do if the leg pain comes back after I get home?
            - Can my local doctor contact you with questions?

            The choice to have surgery is yours, made together with your own surgeon.
        """,
        operation_hours=(Decimal("1.0"), Decimal("2.0")),
        hospital_nights=(1, 2),
        days_before_flying=7,
        return_to_normal_weeks=(4, 8),
        anaesthesia="general",
        related=("lumbar-spinal-fusion", "laminectomy", "cervical-disc-replacement"),
    ),
    ProcedurePage(
        slug="laminectomy",
        also_known_as="Lumbar decompression; decompressive laminectomy; laminotomy; spinal stenosis surgery",
        overview="""
            With age, the spinal canal in the lower back can become narrower. Thick ligaments, bony growths and bulging
            discs squeeze the nerves. This is called lumbar spinal stenosis. Typical symptoms are pain, heaviness,
            numbness or tingling in the legs when you walk or stand, which get better when you sit or bend forward.

            A laminectomy removes part of the bony arch at the back of a vertebra, called the lamina, together with the
            thickened tissue. This gives the nerves more room. A smaller version, called a laminotomy, removes only part
            of the lamina.

            The operation aims to help you walk and stand for longer. It does not stop the spine from ageing, and it is
            less reliable for back pain alone.
        """,
        indications="""
            A laminectomy may be considered if:

            - leg symptoms from spinal stenosis limit how far you can walk or how long you can stand
            - physiotherapy, medicines and sometimes injections have not helped enough, usually for at least three
              months
            - an MRI or CT scan shows narrowing that matches your symptoms
            - weakness or other nerve problems are getting worse

            It is also used to relieve pressure on nerves from other causes, such as a tumour.

            Sudden loss of bladder or bowel control, or numbness between the legs, is an emergency. Go to the nearest
            hospital; do not wait to travel.

            Only your own surgeon, after examining you and looking at your scans, can say whether this operation suits
            you. The decision is made together with them.
        """,
        contraindications="""
            A laminectomy on its own may not be the best choice if:

            - a vertebra has slipped (spondylolisthesis) or the spine moves too much; a fusion may be needed as well
            - your pain is mainly in the back, without leg symptoms
            - leg pain comes from poor blood flow, hip arthritis or nerve damage from diabetes, not from the spine
            - heart, lung or other health problems make surgery unsafe

            Age alone is not a reason to refuse surgery, and many people in their 70s and 80s do well. Your general
            health matters more. Smoking, diabetes and weak bones raise the risks. Tell your surgeon about all your
            medicines, especially blood thinners.
        """,
        techniques="""
            The operation is usually done under general anaesthesia, with you lying on your front. Some centres use
            spinal anaesthesia.

            In an open laminectomy, the surgeon makes a cut along the middle of the back, moves the muscles aside and
            removes the lamina and the thick ligament.

            In a minimally invasive decompression, the surgeon works through a small cut using a tube and a microscope
            or an endoscope. Often both sides can be freed from one side, which keeps more bone and muscle.

            One or more levels may be treated. The surgeon tries to keep the small joints at the back of the spine, so
            that the spine stays stable. If the spine is already unstable, a fusion may be added in the same operation.
        """,
        benefits="""
            For people with clear spinal stenosis, a laminectomy often:

            - reduces leg pain, numbness and heaviness
            - lets you walk and stand for longer
            - helps you stay active and independent

            Leg symptoms usually improve more than back pain. Improvement often shows within weeks, but nerves can take
            months to recover, and long-standing numbness may stay. Several studies suggest that, on average, people who
            have surgery do better over the first few years than those who do not, although some people also improve
            without surgery. The benefit can fade over many years as the spine keeps ageing.
        """,
        risks="""
            Rough figures from published studies:

            - a tear in the lining around the nerves (dural tear), usually repaired at once: roughly 3–10 in 100, more
              often in older people and in repeat surgery
            - wound infection: roughly 1–3 in 100
            - a blood clot in the leg or lung: about 1 in 100
            - nerve damage with new weakness or numbness: rare
            - the spine becomes unstable later and needs a fusion: a few in 100
            - symptoms come back over the years as narrowing returns, sometimes needing more surgery

            Older people have a higher risk of general problems, such as confusion after the anaesthetic, a chest
            infection or heart problems. Your surgeon should explain which risks apply to you.
        """,
        recovery="""
            A typical path:

            - Same day or next day: you walk with help.
            - Days 1–3: most people leave hospital.
            - Weeks 1–4: walk a little more every day; avoid bending, twisting and lifting.
            - Weeks 4–6: light work and daily activities, with physiotherapy to build strength.
            - Weeks 6–12: most people are back to normal activity, if the surgeon agrees.

            Recovery is slower if several levels were treated or a fusion was added.

            Plan to stay near the hospital for about 7–10 days before a long flight. This allows a wound check and
            lowers your risk of a blood clot. On the plane, wear compression stockings if advised, walk every hour, move
            your ankles often and drink water. Ask for an aisle seat and for help with your bags.
        """,
        aftercare="""
            Before you leave, ask for copies of:

            - your discharge summary and operative notes
            - your scans, on a disc or a download link
            - a list of your medicines, and when to reduce them

            Before you travel, arrange to see your family doctor or a local spine specialist about one to two weeks
            after you get home, and book physiotherapy. Ask your surgeon whether stitches need removing.

            Keep walking every day, a little further each time. Use a stick or frame at first if your balance is unsure,
            to avoid falls.

            Get urgent medical help if you have:

            - fever, or a wound that is red, swollen or leaking
            - new or worse weakness or numbness in the legs
            - loss of bladder or bowel control, or numbness between the legs
            - calf pain or swelling, chest pain or breathlessness (call emergency services)
            - a severe headache when sitting up that eases when you lie down
        """,
        questions="""
            Questions to ask your surgeon:

            - Do my scans clearly explain my leg symptoms?
            - Will I need a fusion as well? Why, or why not?
            - How many levels will you treat, and will you use an open or a minimally invasive method?
            - How many of these operations do you do each year?
            - How likely am I to walk further after surgery?
            - What are my own risks, given my age and health?
            - How soon can I fly, and who will check my wound?
            - What should I do if my symptoms come back?

            Take time to decide. The choice is yours, made together with your own surgeon.
        """,
        operation_hours=(Decimal("1.0"), Decimal("3.0")),
        hospital_nights=(1, 3),
        days_before_flying=10,
        return_to_normal_weeks=(6, 12),
        anaesthesia="general",
        related=("lumbar-spinal-fusion", "minimally-invasive-lumbar-discectomy", "post-operative-pain-management"),
    ),
    ProcedurePage(
        slug="vertebroplasty",
        also_known_as="Percutaneous vertebroplasty; PVP; bone cement injection for a spinal fracture",
        overview="""
            A vertebral compression fracture happens when a vertebra partly collapses. It is most often caused by
            osteoporosis (thin, weak bones), sometimes after a small fall or even a cough. Some fractures are caused by
            cancer in the bone.

            In vertebroplasty, a doctor passes a hollow needle through the skin into the broken vertebra, guided by
            X-ray. Medical bone cement is injected. It hardens within minutes and steadies the bone, which can ease the
            pain.

            Most compression fractures heal by themselves over about 6–12 weeks, with pain relief and gentle activity.
            Research studies disagree about how much vertebroplasty adds to good non-surgical care. It seems most useful
            for selected people with recent, very painful fractures.
        """,
        indications="""
            Vertebroplasty may be considered if:

            - you have a recent compression fracture, usually from the last few weeks or months
            - the pain is severe despite good pain relief, or keeps you in bed
            - an MRI scan shows the fracture is still healing (a sign called bone oedema)
            - the pain is clearly at the level of the fracture
            - the fracture is caused by a tumour, such as myeloma or cancer that has spread, and is painful

            Long bed rest is harmful for older people, so getting moving sooner is an important goal. You will also need
            tests and treatment for the bone weakness itself.

            Only your own doctor or surgeon, after examining you and your scans, can say whether this treatment is right
            for you.
        """,
        contraindications="""
            Vertebroplasty may not be suitable if:

            - the fracture is old and has already healed
            - your pain is getting better with simple treatment
            - there is an infection in the spine or elsewhere in the body
            - you have a bleeding problem, or blood thinners cannot safely be paused
            - the back wall of the vertebra is broken, or bone presses on the spinal cord or nerves
            - you are allergic to the cement or to X-ray dye
            - the vertebra has collapsed almost completely

            Your doctor will check your blood tests, scans and medicines before the procedure. Tell them about any blood
            thinners and allergies.
        """,
        techniques="""
            Vertebroplasty is usually done with local anaesthetic and medicine that makes you relaxed and sleepy
            (sedation). Some centres use a general anaesthetic.

            You lie on your front. Using live X-ray or CT pictures, the doctor guides one or two needles through the
            skin into the broken vertebra. Thick bone cement (called PMMA) is then injected slowly while the doctor
            watches on X-ray, to keep it inside the bone. The needles are removed and a small dressing is put on. No
            stitches are needed.

            Each level takes about 30–60 minutes, and several levels can be treated at once.

            Depending on the hospital, it is done by spine surgeons or by interventional radiologists. Kyphoplasty is a
            similar treatment that uses a balloon first.
        """,
        benefits="""
            For some people, vertebroplasty can:

            - reduce pain, often within a day or two
            - help you get out of bed and walk sooner
            - reduce the need for strong painkillers
            - steady the bone, so that it is less likely to collapse further

            It is done through the skin, so recovery is quick and many people go home the same day. However, it does not
            straighten the spine, and it does not treat the osteoporosis itself. Some people get little pain relief.
            Research results are mixed, so ask your doctor what results they expect for you.
        """,
        risks="""
            Vertebroplasty is usually low-risk, but problems can happen. Rough figures from published studies:

            - a little cement leaks outside the bone: common on scans, often in more than 1 in 3 cases, but it rarely
              causes symptoms
            - a cement leak that presses on a nerve or the spinal cord: rare, less than 1 in 100
            - cement travelling to the lungs: usually small and without symptoms; serious cases are very rare
            - infection: rare, less than 1 in 100
            - bruising and soreness where the needle went in: common, and settles within days
            - rib or other fractures while lying on the table, in very fragile bones: rare

            New fractures in other vertebrae are fairly common in the following year, partly because of the osteoporosis
            itself. It is not clear whether the cement adds to this risk.
        """,
        recovery="""
            A typical path:

            - Same day: you rest flat for an hour or two, then walk with help. Many people go home the same day; some
              stay one night.
            - Days 1–3: soreness where the needle went in; the fracture pain often eases.
            - Weeks 1–2: gentle walking every day; avoid lifting and bending.
            - Weeks 2–6: slowly return to your usual activities, and start a plan for bone strength and balance.

            Plan to stay near the hospital for about 2–4 days before a long flight, so that a doctor can check you and
            any early problem can show. Many patients are older and have fragile bones, so take extra care on the
            journey. Ask for wheelchair help at airports, an aisle seat and help with your bags. Wear compression
            stockings if advised, move your ankles often and walk when it is safe.
        """,
        aftercare="""
            Before you leave, ask for copies of:

            - your discharge summary and procedure report
            - your X-ray and MRI images, on a disc or a download link
            - any biopsy results, if a small bone sample was taken
            - a list of your medicines

            Before you travel, book an appointment with your family doctor for soon after you get home. Ask about
            treatment for osteoporosis, such as bone-strengthening medicines, calcium and vitamin D, and about a check
            of your risk of falls. This is the best way to prevent new fractures.

            Get urgent medical help if you have:

            - fever, or redness, swelling or discharge where the needle went in
            - new weakness or numbness in the legs
            - loss of bladder or bowel control
            - calf pain or swelling, chest pain or breathlessness (call emergency services)
            - sudden new back pain, which may mean a new fracture
        """,
        questions="""
            Questions to ask your doctor or surgeon:

            - Is my fracture recent enough to benefit from cement?
            - What are the other options, such as a brace, pain relief and physiotherapy?
            - Who will do the procedure, and how many do they do each year?
            - Will you take a bone sample (biopsy), and why?
            - How many levels will you treat?
            - Why vertebroplasty rather than kyphoplasty, or the other way round?
            - Who will treat my osteoporosis after I get home?
            - How soon can I fly safely?

            The decision is yours, made together with your own doctor or surgeon.
        """,
        operation_hours=(Decimal("0.5"), Decimal("1.5")),
        hospital_nights=(0, 1),
        days_before_flying=3,
        return_to_normal_weeks=(2, 6),
        anaesthesia="sedation",
        related=("kyphoplasty", "minimally-invasive-spinal-tumour-surgery", "post-operative-pain-management"),
    ),
    ProcedurePage(
        slug="kyphoplasty",
        also_known_as="Balloon kyphoplasty; percutaneous kyphoplasty; BKP",
        overview="""
            Kyphoplasty treats a vertebra that has partly collapsed (a compression fracture). This is most often caused
            by osteoporosis, and sometimes by cancer in the bone.

            It is very similar to vertebroplasty. The difference is that the doctor first places a small balloon inside
            the broken bone and inflates it. This makes a space and may lift the collapsed bone a little. The balloon is
            then removed and the space is filled with bone cement, which hardens within minutes.

            Kyphoplasty usually costs more than vertebroplasty. Studies that compare the two show broadly similar pain
            relief. As with vertebroplasty, many fractures heal well without any procedure, and research disagrees on
            how much it adds to good non-surgical care.
        """,
        indications="""
            Kyphoplasty may be considered if:

            - you have a recent, painful compression fracture that is not improving with pain relief and rest
            - an MRI shows the fracture has not yet healed
            - the vertebra has lost some height, and the doctor thinks partly restoring it may help
            - the fracture is caused by myeloma or by cancer that has spread to the spine

            Some doctors prefer kyphoplasty when the bone has collapsed more, or when they want more control over where
            the cement goes. You will also need tests and treatment for weak bones.

            Only your own doctor or surgeon, after examining you and your scans, can say whether kyphoplasty is right
            for you.
        """,
        contraindications="""
            Kyphoplasty may not be suitable if:

            - the fracture has already healed, or the pain is improving on its own
            - there is an infection in the spine or elsewhere in the body
            - you have a bleeding problem, or blood thinners cannot safely be paused
            - pieces of bone press on the spinal cord or nerves
            - the vertebra has collapsed so much that the balloon cannot be placed safely
            - you are allergic to the cement or to X-ray dye
            - you cannot safely have a general anaesthetic or sedation

            Your doctor will review your blood tests, medicines and scans first. Tell them about any blood thinners and
            allergies.
        """,
        techniques="""
            Kyphoplasty is done under general anaesthesia, or with local anaesthetic and sedation.

            You lie on your front. Guided by live X-ray, the doctor passes one or two narrow tubes through small cuts in
            the skin, into the broken vertebra. A small balloon is pushed through each tube and slowly inflated. It
            presses the soft inner bone aside to make a space, and may lift the collapsed bone a little. The balloon is
            taken out. Thick bone cement is then placed into the space at low pressure. The tubes are removed, and the
            small cuts are covered with dressings or closed with a stitch.

            Each level takes about 30–60 minutes. Similar methods use small implants or stents instead of a balloon. Ask
            which system your doctor uses.
        """,
        benefits="""
            For some people, kyphoplasty can:

            - ease fracture pain, often within a day or two
            - help you walk and move sooner, which protects your general health
            - reduce the need for strong painkillers
            - partly restore the height of the collapsed vertebra in some cases

            Because the cement goes into a space made by the balloon, it may be less likely to leak than in
            vertebroplasty. However, it is not proven that restoring height gives better long-term results. Kyphoplasty
            does not treat osteoporosis. Ask your doctor what results they expect for you.
        """,
        risks="""
            Kyphoplasty is usually low-risk, but problems can happen. Rough figures from published studies:

            - some cement leaks outside the bone: seen on scans in roughly 1 in 10 to 1 in 3 cases, usually without
              symptoms
            - cement pressing on a nerve or the spinal cord: rare, less than 1 in 100
            - cement travelling to the lungs: rare; serious cases are very rare
            - infection: rare, less than 1 in 100
            - bruising and soreness where the tubes went in: common, and settles within days
            - risks of the anaesthetic, which are higher in frail older people

            New fractures in nearby vertebrae are fairly common in the year after treatment, mainly because of
            osteoporosis. Treating the bone weakness lowers this risk.
        """,
        recovery="""
            A typical path:

            - Same day: you rest for a few hours, then walk with help. Many people go home the same day; some stay one
              night.
            - Days 1–3: soreness where the tubes went in; the fracture pain often eases.
            - Weeks 1–2: gentle walking every day; avoid lifting and bending forward.
            - Weeks 2–6: slowly return to your usual activities, with a plan to strengthen your bones and improve
              balance.

            Plan to stay near the hospital for about 2–4 days before a long flight. This allows a check-up and time for
            any early problem to show. Ask for wheelchair help at airports, an aisle seat and help with your luggage.
            Wear compression stockings if advised, move your ankles often and walk in the aisle when it is safe.
        """,
        aftercare="""
            Before you leave, ask for copies of:

            - your discharge summary and procedure report
            - your X-ray and MRI images, on a disc or a download link
            - any biopsy results, if a bone sample was taken
            - a list of your medicines

            Before you travel, book a visit with your family doctor for soon after you get home. Ask about a bone
            density scan, treatment for osteoporosis and ways to prevent falls at home. This is the best way to lower
            the chance of another fracture.

            Get urgent medical help if you have:

            - fever, or redness, swelling or discharge at the small cuts
            - new weakness or numbness in the legs
            - loss of bladder or bowel control
            - calf pain or swelling, chest pain or breathlessness (call emergency services)
            - sudden new back pain, which may mean a new fracture
        """,
        questions="""
            Questions to ask your doctor or surgeon:

            - Why kyphoplasty rather than vertebroplasty or non-surgical care?
            - Is my fracture recent enough to benefit?
            - Will I have a general anaesthetic or sedation?
            - How many of these procedures do you do each year?
            - How much height do you expect to restore, and does it matter for me?
            - Will you take a bone sample to check for other causes?
            - Who will treat my osteoporosis after I get home?
            - How soon can I fly safely?

            The decision is yours, made together with your own doctor or surgeon.
        """,
        operation_hours=(Decimal("0.5"), Decimal("1.5")),
        hospital_nights=(0, 1),
        days_before_flying=3,
        return_to_normal_weeks=(2, 6),
        anaesthesia="general",
        related=("vertebroplasty", "minimally-invasive-spinal-tumour-surgery"),
    ),
    ProcedurePage(
        slug="minimally-invasive-spinal-infection-surgery",
        also_known_as=(
            "Surgery for spondylodiscitis or vertebral osteomyelitis; spinal abscess drainage; spinal debridement"
        ),
        overview="""
            Infections of the spine are uncommon but serious. Bacteria, or sometimes tuberculosis (TB), can infect a
            disc and the vertebrae next to it. Doctors call this spondylodiscitis or vertebral osteomyelitis. Pus can
            collect in an abscess near the spine or the nerves.

            Most spinal infections are treated with antibiotics alone, usually for 6 weeks or longer. Surgery is needed
            when there is an abscess, pressure on the nerves or damage that makes the spine unstable, or when
            antibiotics are not working.

            Minimally invasive surgery uses small cuts to drain pus, remove infected tissue and take samples. The
            samples show which germ causes the infection, so the right antibiotic can be chosen. If the bone is badly
            damaged, screws and rods may be placed through small cuts to support the spine.
        """,
        indications="""
            Surgery may be considered when:

            - a needle biopsy has not found the germ, and more samples are needed
            - there is an abscess that antibiotics alone are unlikely to clear
            - the infection is not improving after a few weeks of the right antibiotics
            - the bone is so damaged that the spine is unstable or bending
            - pain stays severe despite treatment

            Important: new weakness, numbness, or loss of bladder or bowel control with a spinal infection is an
            emergency. It needs treatment at the nearest hospital straight away. Do not delay care in order to travel.

            Planned treatment abroad is only for people who are stable and well enough to fly. Only your own doctors and
            surgeon, after examining you and your scans, can say whether surgery is needed and where it is safest.
        """,
        contraindications="""
            Surgery may not be needed, or may need to wait, if:

            - the infection is improving well with antibiotics alone
            - there is no abscess, no pressure on the nerves, and the spine is stable
            - you are too unwell for an anaesthetic; the infection may first be treated in intensive care

            Travelling abroad for this surgery is not suitable if:

            - you have a fever, feel very unwell, or the infection is spreading
            - you have any new weakness, or bladder or bowel problems
            - you cannot arrange to continue antibiotics and blood tests at home

            Diabetes, kidney disease, a weak immune system and injecting drugs raise the risk of infection and of it
            coming back. These need careful planning with your doctors.
        """,
        techniques="""
            The operation is done under general anaesthesia.

            In minimally invasive surgery, the surgeon works through small cuts, using X-ray, navigation or a camera
            (endoscope). The surgeon drains the abscess, cleans out infected disc and bone (this is called debridement)
            and washes the area. Samples go to the laboratory to grow the germ and test which antibiotics work. If the
            spine is unstable, screws and rods are placed through the skin to hold it.

            Open surgery, through a larger cut, may still be needed for large abscesses, severe bone damage or a bent
            spine. Sometimes the surgeon reaches the front of the spine through the chest or the belly, and sometimes
            two operations are needed.

            Antibiotics continue after surgery, often through a drip at first and then as tablets, usually for at least
            6 weeks in total. TB needs many months of treatment.
        """,
        benefits="""
            When surgery is needed, it can:

            - remove pus and infected tissue that antibiotics cannot reach well
            - find the exact germ, so that the antibiotics work better
            - take pressure off the nerves and protect them
            - support and stabilise a damaged spine
            - ease severe pain and help you move sooner

            Minimally invasive methods aim to do this with less blood loss, less muscle damage and smaller wounds. This
            matters for people who are already weakened by infection. Even so, recovery depends mostly on controlling
            the infection, which takes weeks to months.
        """,
        risks="""
            People with a spinal infection are often unwell, so the risks are higher than in planned spine surgery.
            Rough figures vary between studies:

            - the infection comes back or does not clear: roughly 1 in 10, sometimes more
            - another operation is needed: not unusual, especially with large abscesses
            - wound problems or a new infection: more common than in routine spine surgery
            - nerve damage, bleeding, or a tear in the lining around the nerves
            - a blood clot in the leg or lung
            - side effects of long antibiotic courses, such as diarrhoea, rashes, or kidney or liver problems
            - problems with screws or rods, sometimes needing removal later

            Some people have lasting back pain or nerve weakness, even when the infection is cured. Your doctors should
            explain your own risks.
        """,
        recovery="""
            Recovery takes longer than after most spine operations:

            - Days 1–3: you walk with help, if your nerves and spine allow it.
            - Weeks 1–2: antibiotics, often through a drip, and blood tests to check the infection is settling. The
              hospital stay is often 5–14 days.
            - Weeks 2–6: you may switch to tablets. Walk more each day and follow any brace instructions.
            - Weeks 6–12: antibiotics usually stop once blood tests and symptoms show the infection is under control.
              Physiotherapy builds strength.
            - Months 3–6: most people return to normal activity, if the infection has cleared.

            Plan to stay near the hospital for at least 14 days before a long flight, and fly only when your doctors
            agree the infection is settling. On the plane, wear compression stockings if advised, walk every hour, move
            your ankles and drink water.
        """,
        aftercare="""
            Before you leave, ask for copies of:

            - your discharge summary and operative notes
            - laboratory results showing the germ and which antibiotics work
            - your antibiotic plan: names, doses and stop date
            - your scans, on a disc or a download link

            Arrange care at home before you travel. You will need a local doctor, often an infection specialist, to
            check blood tests every week or two and decide when to stop antibiotics. If you still have a drip line (such
            as a PICC line), ask how to care for it on the journey. Take every antibiotic exactly as prescribed.

            Get urgent medical help if you have:

            - fever, chills or night sweats
            - a wound that is red, swollen or leaking
            - new or worse back pain, weakness or numbness
            - loss of bladder or bowel control
            - calf pain or swelling, chest pain or breathlessness (call emergency services)
        """,
        questions="""
            Questions to ask your surgeon:

            - Do I need surgery, or could antibiotics alone work?
            - Is it safe for me to travel for this treatment?
            - Do you know which germ causes my infection?
            - Will you use a minimally invasive or an open method, and will you place screws?
            - How long will I need antibiotics, and how will I get them at home?
            - Which infection specialist will work with you?
            - How many patients with spinal infections do you treat each year?
            - What happens if the infection comes back after I get home?

            The decision is yours, made together with your own doctors and surgeon.
        """,
        operation_hours=(Decimal("1.5"), Decimal("4.0")),
        hospital_nights=(5, 14),
        days_before_flying=14,
        return_to_normal_weeks=(12, 26),
        anaesthesia="general",
        related=("lumbar-spinal-fusion", "minimally-invasive-spinal-tumour-surgery"),
    ),
    ProcedurePage(
        slug="minimally-invasive-spinal-tumour-surgery",
        also_known_as=(
            "MIS for spinal tumours; separation surgery; decompression and stabilisation for spinal metastases"
        ),
        overview="""
            Tumours in the spine can start in the spine itself (primary tumours, which are rare) or spread there from
            cancer elsewhere, such as the breast, lung, prostate or kidney (metastases, which are much more common).
            They can weaken the bone, cause pain, and press on the spinal cord or nerves.

            Minimally invasive surgery uses small cuts, X-ray or navigation, and special tubes to remove tumour tissue,
            free the spinal cord and support the spine with screws and rods. It is often combined with radiotherapy and
            other cancer treatment.

            Surgery for spinal tumours is always planned by a team, including a spine surgeon, cancer doctors
            (oncologists) and radiotherapy doctors. The goal depends on the tumour. It may be to control pain and
            protect walking or, for some primary tumours, to remove the whole tumour.
        """,
        indications="""
            Surgery may be considered when:

            - a tumour presses on the spinal cord or nerves
            - a vertebra is weakened and at risk of collapse, or the spine is unstable
            - pain caused by instability is not controlled by other treatment
            - a sample (biopsy) is needed to find the tumour type
            - radiotherapy will work better once the tumour is moved away from the spinal cord (separation surgery)

            Your general health, the tumour type and your outlook are all part of the decision.

            Important: new weakness, numbness, or loss of bladder or bowel control in someone with cancer is an
            emergency. Go to the nearest hospital straight away; do not delay in order to travel. Only your own cancer
            team and surgeon can say whether surgery is right for you.
        """,
        contraindications="""
            Surgery may not be the best option if:

            - the tumour type responds very well to radiotherapy or medicines alone, as some lymphomas and myeloma do
            - cancer is widespread, and surgery would not improve comfort or quality of life
            - your general health makes a large operation unsafe
            - the spine is stable and nothing presses on the spinal cord
            - complete paralysis has lasted for a long time

            Some primary tumours, such as chordoma, need to be removed in one piece. This is usually open surgery in
            specialist centres, and minimally invasive methods may not be suitable.

            Travelling for treatment is only sensible if your cancer team at home agrees and your care can be
            coordinated.
        """,
        techniques="""
            The operation is done under general anaesthesia.

            In minimally invasive surgery, the surgeon uses small cuts, guided by X-ray or computer navigation. Screws
            and rods are placed through the skin to support the spine. Through a small opening, the surgeon removes
            tumour tissue that presses on the spinal cord or nerves. Bone cement may be used to strengthen weak
            vertebrae.

            Some tumours, for example those from the kidney or thyroid, have a very rich blood supply. Their blood
            vessels may be blocked a day or two before surgery (embolisation) to reduce bleeding.

            Open surgery is still needed for some tumours, especially large primary tumours. Radiotherapy is often given
            one to four weeks after surgery, once the wound has healed. Ask where this will happen.
        """,
        benefits="""
            Depending on your case, surgery can:

            - relieve pressure on the spinal cord or nerves, helping you keep or regain the ability to walk
            - stabilise the spine and reduce pain caused by movement
            - provide tissue to confirm the diagnosis
            - allow safer and stronger radiotherapy afterwards

            Minimally invasive methods aim to cause less blood loss, less muscle damage and smaller wounds. This can
            mean a shorter stay and a faster start to further cancer treatment. For most people with metastases, surgery
            does not cure the cancer. The aim is a better quality of life.
        """,
        risks="""
            People with cancer often have higher risks from surgery. Rough figures vary widely between studies:

            - wound problems or infection: more common than in routine spine surgery, roughly 5–15 in 100 in many
              studies, especially after radiotherapy
            - heavy bleeding, especially with tumours that have a rich blood supply
            - a blood clot in the leg or lung: cancer itself raises this risk
            - nerve or spinal cord damage, with new weakness or numbness
            - a tear in the lining around the nerves, which may leak fluid
            - screws loosening in weak bone
            - the tumour grows back, which may need more treatment

            Your general health and the stage of your cancer affect your risks. Your team should explain what applies to
            you.
        """,
        recovery="""
            Recovery depends on your health and on your cancer treatment:

            - Days 1–2: you sit up and walk with help, if your nerves allow.
            - Days 3–10: most people leave hospital; some need a period of rehabilitation first.
            - Weeks 1–4: the wound heals; walk a little more each day. Radiotherapy often starts around this time.
            - Weeks 4–12: other cancer treatment continues, and physiotherapy builds strength.
            - Months 3–6: many people return to their usual activities, as far as their illness allows.

            Plan to stay near the hospital for at least 14 days before a long flight. Cancer and surgery both raise the
            risk of blood clots, so ask whether you need blood-thinning injections for the journey. Wear compression
            stockings if advised, walk every hour on the plane, move your ankles often and drink water. Ask the airline
            for wheelchair help.
        """,
        aftercare="""
            Before you leave, ask for copies of:

            - your discharge summary and operative notes
            - the pathology report that describes the tumour
            - your scans, on a disc or a download link
            - the implant record and a list of your medicines

            Your cancer care continues at home. Before you travel, make sure your cancer doctor at home has agreed to
            the plan and knows when you will return. Decide where radiotherapy will happen, and send the surgical notes
            to that team.

            Get urgent medical help if you have:

            - fever, or a wound that is red, swollen, leaking or opening
            - new or worse weakness, numbness or unsteady walking
            - loss of bladder or bowel control
            - calf pain or swelling, chest pain or breathlessness (call emergency services)
            - sudden, severe new back pain
        """,
        questions="""
            Questions to ask your surgeon:

            - What is the goal of surgery for me: pain relief, protecting my walking, or removing the whole tumour?
            - What are the options without surgery?
            - Has a team with cancer and radiotherapy doctors reviewed my case?
            - Is a minimally invasive method suitable for my tumour?
            - How many patients with spinal tumours do you treat each year?
            - When and where will I have radiotherapy?
            - How will you share information with my cancer team at home?
            - Is it safe for me to travel?

            The decision is yours, made together with your own surgeon and cancer team.
        """,
        operation_hours=(Decimal("2.0"), Decimal("6.0")),
        hospital_nights=(3, 10),
        days_before_flying=14,
        return_to_normal_weeks=(12, 26),
        anaesthesia="general",
        related=("vertebroplasty", "kyphoplasty", "minimally-invasive-spinal-infection-surgery"),
    ),
    ProcedurePage(
        slug="cervical-disc-replacement",
        also_known_as=(
            "Cervical disc arthroplasty; artificial disc replacement in the neck; CDA; total disc replacement"
        ),
        overview="""
            Between the bones of the neck are discs that act as cushions. When a disc wears or bulges, it can press on a
            nerve or on the spinal cord. This can cause pain, numbness or weakness in the arm and hand, and sometimes
            problems with balance or with fine hand movements.

            In cervical disc replacement, the surgeon removes the damaged disc through a small cut at the front of the
            neck. This frees the nerve or spinal cord. An artificial disc, made of metal and medical plastic, is then
            fitted into the space. It is designed to keep the neck moving at that level.

            The main alternative is anterior cervical discectomy and fusion (ACDF). In ACDF the space is filled and the
            two bones grow together. Both operations work well for suitable patients.
        """,
        indications="""
            Disc replacement may be considered if:

            - you have arm pain, numbness or weakness from a pinched nerve in the neck, or early signs of pressure on
              the spinal cord
            - symptoms have not improved after about 6 weeks or more of non-surgical care, or weakness is getting worse
            - an MRI shows a soft disc or a small bony growth pressing on the nerve, at one or two levels
            - the small joints at the back of your neck are healthy and your neck is stable
            - you are a younger or middle-aged adult with good bone quality

            Neck pain alone, without arm symptoms, is usually not a reason for this operation.

            Only your own surgeon, after examining you and your scans, can say whether disc replacement or fusion suits
            you better. The decision is made together with them.
        """,
        contraindications="""
            Disc replacement is usually not suitable if you have:

            - weak bones (osteoporosis)
            - severe arthritis in the small joints at the back of the neck
            - an unstable neck, or a neck that bends forward (kyphosis)
            - disc disease at many levels
            - pressure on the spinal cord from behind, or a hardened ligament behind the vertebrae (OPLL)
            - an infection or a tumour in the spine
            - an allergy to the implant materials
            - a disc space that has already collapsed badly

            Earlier neck surgery may also make it unsuitable. In these cases, a fusion or another operation is often
            better. Tell your surgeon about all your medicines.
        """,
        techniques="""
            The operation is done under general anaesthesia, with you lying on your back.

            The surgeon makes a cut of about 3–5 cm across the front of the neck, often in a natural skin crease. The
            windpipe and food pipe are moved gently aside; no muscle is cut through. Using a microscope and live X-ray,
            the surgeon removes the damaged disc and any bony growths that press on the nerves. The artificial disc is
            then fitted into the space, and its position is checked on X-ray.

            This approach from the front already uses a small cut, so there is no separate open version. One level
            usually takes about 1–2 hours; two levels take longer. There are several designs of artificial disc. Ask
            which one your surgeon uses, and why.
        """,
        benefits="""
            For suitable patients, disc replacement can:

            - relieve arm pain, numbness and tingling, often quickly
            - stop damage to the nerve or spinal cord from getting worse
            - keep movement at the treated level
            - allow a quick return to daily life, usually without a neck collar

            Keeping movement may lower the strain on the discs next to it. Some long-term studies suggest fewer repeat
            operations at nearby levels than after fusion, but this is still debated. Results for arm pain are similar
            to fusion. Neck pain improves less reliably than arm pain.
        """,
        risks="""
            Rough figures from published studies:

            - difficulty swallowing: common for the first few weeks; lasting problems in a few people in 100
            - a hoarse voice from irritation of a nerve to the voice box: usually temporary; lasting in about 1 in 100
            - bone forming around the implant (heterotopic ossification): often seen on X-rays, and sometimes it reduces
              movement
            - infection: less than 1 in 100
            - the implant moves, wears or needs removing: uncommon
            - damage to the spinal cord, nerves, food pipe or large blood vessels: rare

            Rarely, bleeding or swelling in the neck in the first hours or days can block breathing. This is an
            emergency. Over time, another neck operation is sometimes needed.
        """,
        recovery="""
            A typical path:

            - Same day: you sit up and walk within hours.
            - Days 1–2: most people leave hospital. Swallowing may feel sore, and soft food helps.
            - Weeks 1–2: gentle walking; avoid heavy lifting. Many people return to desk work within 2–4 weeks.
            - Weeks 4–6: physiotherapy for neck and shoulder strength.
            - Weeks 6–12: most people are back to normal activity, including sport, if the surgeon agrees.

            Plan to stay near the hospital for about 7 days before a long flight, so that your wound and swallowing can
            be checked. On the plane, wear compression stockings if advised, walk every hour, move your ankles and drink
            water. Use a travel pillow to support your neck, and do not lift bags into the overhead locker.
        """,
        aftercare="""
            Before you leave, ask for copies of:

            - your discharge summary and operative notes
            - your X-rays and MRI, on a disc or a download link
            - the implant card (maker, model and size), which matters for future scans and surgery
            - a list of your medicines

            Before you travel, book a visit with your family doctor or a local spine specialist for one to two weeks
            after you return. Follow-up X-rays are often taken at about 6 weeks and 1 year.

            Get urgent medical help if you have:

            - swelling in the neck, or trouble breathing or swallowing (call emergency services)
            - fever, or a wound that is red, swollen or leaking
            - new weakness, numbness or clumsiness in the arms or legs
            - loss of bladder or bowel control
            - calf pain or swelling, chest pain or breathlessness (call emergency services)
        """,
        questions="""
            Questions to ask your surgeon:

            - Am I a good candidate for disc replacement, or is fusion better for me?
            - Which artificial disc will you use, and how long has it been in use?
            - How many disc replacements do you do each year?
            - How often do your patients have swallowing or voice problems?
            - Can I have MRI scans later with this implant?
            - What happens if the implant ever needs to be removed?
            - How soon can I fly, and when can I drive?
            - Who will check my X-rays after I get home?

            The decision is yours, made together with your own surgeon.
        """,
        operation_hours=(Decimal("1.0"), Decimal("3.0")),
        hospital_nights=(1, 2),
        days_before_flying=7,
        return_to_normal_weeks=(6, 12),
        anaesthesia="general",
        related=("minimally-invasive-lumbar-discectomy", "post-operative-pain-management"),
    ),
    ProcedurePage(
        slug="post-operative-pain-management",
        also_known_as="Multimodal pain relief; enhanced recovery (ERAS) pain plan; acute pain service care",
        overview="""
            Good pain control after spine surgery helps you breathe deeply, walk early, sleep and take part in
            physiotherapy. This lowers the risk of chest infections and blood clots, and helps you recover faster.

            A post-operative pain-management programme is a planned approach led by a pain team of anaesthetists,
            nurses, physiotherapists and sometimes psychologists. It is usually part of an enhanced recovery plan (often
            called ERAS). Instead of relying mainly on strong opioid painkillers, it combines several methods, such as
            nerve blocks, regular non-opioid medicines, ice, movement and relaxation skills.

            The programme starts before surgery and runs during your hospital stay, usually without adding extra nights.
            It ends with a clear plan to reduce and stop painkillers at home.
        """,
        indications="""
            A pain programme is useful for most people having spine surgery, especially if:

            - you are having a larger operation, such as a fusion
            - you already have long-term pain or take painkillers regularly
            - you have had bad side effects from opioids before
            - you feel very worried about pain
            - you want to need fewer strong painkillers

            People who already take opioids before surgery need a specially planned approach. Tell the team exactly what
            you take, and how much.

            The pain team works with your surgeon. Only your own surgeon and anaesthetist can decide which parts of the
            programme are right for you.
        """,
        contraindications="""
            Almost everyone can benefit from some parts of a pain programme, but some parts may not suit you:

            - nerve blocks: not suitable if you have a bleeding problem, take certain blood thinners, or have an
              infection where the needle would go
            - anti-inflammatory medicines, such as ibuprofen: may be avoided with kidney disease, stomach ulcers or some
              heart problems, and some surgeons limit them after a fusion
            - some medicines for nerve pain: may cause dizziness and drowsiness, especially in older people
            - opioids: need extra care with sleep apnoea, lung disease or a past addiction

            Tell the team about all your medicines and allergies, any kidney or liver problems, and any past problems
            with painkillers or anaesthetics.
        """,
        techniques="""
            Your plan is made for you, but it often includes:

            - Before surgery: a talk about what to expect and how to score your pain.
            - During surgery: a long-acting local anaesthetic in the wound, or a nerve block placed with ultrasound,
              such as an erector spinae plane block. A block takes about 15–30 minutes to place.
            - After surgery: regular paracetamol and, if safe for you, an anti-inflammatory medicine, with a short
              course of an opioid only when needed.
            - Ice packs, early walking and physiotherapy.
            - Advice on breathing, relaxation and sleep.
            - Daily checks by the pain team, who adjust the plan.

            Before you leave, you get a written plan to reduce and stop your painkillers, usually over one to four
            weeks.
        """,
        benefits="""
            A planned pain programme can:

            - control pain better, with fewer ups and downs
            - help you get out of bed and walk sooner
            - reduce the amount of opioid you need, and side effects such as sickness, constipation and drowsiness
            - help you sleep and take part in physiotherapy
            - shorten your hospital stay in some cases
            - lower the chance of still needing strong painkillers months later

            Some pain after spine surgery is normal and expected. The aim is not zero pain, but pain that is low enough
            to let you move, breathe deeply and rest.
        """,
        risks="""
            Each part has its own risks, which are usually small:

            - opioids: sickness, constipation, itching, drowsiness, confusion and, rarely, dangerously slow breathing;
              longer use can lead to dependence
            - anti-inflammatory medicines: stomach irritation or bleeding, and strain on the kidneys
            - medicines for nerve pain: dizziness, drowsiness and unsteadiness, which can lead to falls
            - nerve blocks: bruising or soreness; rarely infection, bleeding or nerve irritation; very rarely a serious
              reaction to the local anaesthetic
            - paracetamol: safe at the right dose, but harmful to the liver if you take too much

            Never take more than the prescribed dose, and do not mix painkillers with alcohol or sleeping tablets.
        """,
        recovery="""
            A typical path alongside your surgery:

            - Before surgery: meet the pain team and agree a plan.
            - Day of surgery: a nerve block or wound anaesthetic, and regular medicines start.
            - Days 1–3: daily checks; opioids are reduced as your walking improves.
            - Days 3–7: tablets only; practise your home plan before you leave hospital.
            - Weeks 1–4: step down and stop painkillers, usually opioids first.

            Stay near the hospital for as long as your surgeon advises for your operation. For most spine surgery this
            is at least 7 days. The programme ends with a review before you fly. On the plane, take your painkillers on
            time, walk every hour, move your ankles, drink water and wear compression stockings if advised. Sitting for
            a long time makes back pain worse, so an aisle seat helps.
        """,
        aftercare="""
            Before you leave, ask for:

            - a written plan for each painkiller: dose, timing and when to stop
            - a doctor's letter listing your medicines, for airport security and customs
            - your discharge summary, to give to your family doctor

            Some countries have strict rules on carrying opioids and other strong medicines, even with a prescription.
            Check the rules of every country you travel through. Keep medicines in their original packs, in your hand
            luggage.

            At home, see your family doctor within one to two weeks to review your pain and medicines. Do not share
            leftover opioids; take them back to a pharmacy.

            Get urgent medical help if you have:

            - very slow breathing, or you are hard to wake (call emergency services)
            - pain that suddenly becomes much worse
            - fever, or a wound that is red or leaking
            - new weakness or numbness, or loss of bladder or bowel control
            - calf pain or swelling, chest pain or breathlessness
        """,
        questions="""
            Questions to ask your surgeon and the pain team:

            - Who leads the pain team, and how often will they see me?
            - Will I have a nerve block, and what are its risks for me?
            - Which medicines will I take, and which should I avoid with my health problems?
            - How do you help people who already take painkillers every day?
            - What is the plan to reduce and stop opioids?
            - Which medicines can I carry on the plane and into my home country?
            - What should I do if my pain is not controlled after I get home?
            - Is the programme included in the price of my surgery?

            The decision is yours, made together with your own surgeon and anaesthetist.
        """,
        operation_hours=(Decimal("0.5"), Decimal("0.5")),
        hospital_nights=(0, 1),
        days_before_flying=7,
        return_to_normal_weeks=(1, 4),
        anaesthesia="regional",
        related=(
            "lumbar-spinal-fusion",
            "laminectomy",
            "vertebroplasty",
            "cervical-disc-replacement",
        ),
    ),
]

PAGES: dict[str, ProcedurePage] = {page.slug: page for page in _PAGES}
