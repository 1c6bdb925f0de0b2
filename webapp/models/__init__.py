"""All models, in dependency order (the migrations and the demo loader rely on it)."""
from .base import BaseModel, utcnow
from .billing import ImmutableEntry, LedgerEntry, LineCategory, Order, OrderLine
from .company import Company, Division, Location
from .packages import Package, PackageAllotment, PackagePurchase, Punch, PunchPass, UsageInvoice
from .mail import EmailOptOut, EmailTemplate, ReminderSent, ReminderSetting
from .payments import Allocation, CardRefund, CartItem, CheckoutLock, Payment, PaymentMethod
from .registration import OrderStatusChange, OutboxMessage, PurchaseOrder, RegistrationItem
from .people import Account, Guardian, Permission, Student, StudentLink, User
from .access import AccessLink, UserSession
from .contacts import ContactEmail, ContactPhone, MailingAddress
from .teaching import (
    AbsenceReason, Attendance, Course, Enrollment, FutureAbsence, MakeupRequest, MakeupToken, Meeting, WaitlistOffer,
)
from .student_pages import CheckInCode, ChosenLocation, new_check_in_code
from .evaluations import Evaluation, Skill
from .audit import StaffChange

ALL_MODELS = [
    Company, Location, Division, Account, User, Permission, Guardian, Student, StudentLink,
    Course, Meeting, Enrollment, AbsenceReason, Attendance, Order, LineCategory, OrderLine, LedgerEntry, FutureAbsence,
    MakeupToken, MakeupRequest, CartItem, PaymentMethod, Payment, Allocation, CheckoutLock,
    Package, PackageAllotment, PackagePurchase, UsageInvoice, PunchPass, Punch,
    RegistrationItem, PurchaseOrder, OrderStatusChange, OutboxMessage, CardRefund, ReminderSetting, ReminderSent,
    EmailOptOut, WaitlistOffer, ContactEmail, ContactPhone, MailingAddress, UserSession, AccessLink,
    CheckInCode, ChosenLocation, Skill, Evaluation, StaffChange, EmailTemplate,
]
